"""Exactly-once orders for clients that retry: an Idempotency-Key is claimed in the order's own transaction.

The bot retries a POST when an answer is lost, so the same order can arrive
twice, even at the same moment. The key's row is inserted first in the
transaction that stores the order; its primary key makes a second request wait
for the first and then fail to claim, and that request answers with what the
first one stored. A key sent again with a different body is refused.

When the bot's answer to an order is lost it cannot know whether the order was
stored, so it looks the key up, and when the customer gives up it cancels by the
key. Cancelling leaves the key claimed as cancelled (status 409), also when
nothing was stored yet: a request with that key still on its way cannot store
the order after the customer was told it is cancelled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from backend import database as db
from backend.errors import ApiError, not_found

Response = Tuple[int, Dict[str, Any]]
Create = Callable[[Connection], Dict[str, Any]]
Cancel = Callable[[Connection, Mapping[str, Any]], str]  # (connection, stored answer) -> the order's number
CANCELLED = 409  # the status a create with a cancelled key answers with
REGISTERED, NOT_REGISTERED, WAS_CANCELLED = "registered", "not_registered", "cancelled"


class _AlreadyClaimed(Exception):
    pass


def fingerprint(method: str, path: str, body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode("utf-8")).hexdigest()


class Idempotency:
    def __init__(self, engine: Engine, now: Callable[[], dt.datetime]) -> None:
        self.engine = engine
        self.now = now

    def run(self, key: str, request_fingerprint: str, create: Create, conversation: str = "") -> Response:
        """201 with what `create` stored, or the stored answer of an earlier request with this key."""
        while True:
            stored = self._stored(key, request_fingerprint)
            if stored is not None:
                return stored
            try:
                return self._create_once(key, request_fingerprint, create, conversation)
            except _AlreadyClaimed:
                continue  # a concurrent request committed this key first: replay its answer

    def lookup(self, key: str) -> Dict[str, Any]:
        """`{"state": "registered", "order": answer}`, `{"state": "cancelled", ...}`, or 404 for an unknown key."""
        with self.engine.connect() as connection:
            row = connection.execute(select(db.idempotency_keys).where(db.idempotency_keys.c.key == key)).first()
        if row is None or row.status is None:
            raise not_found(f"order with Idempotency-Key {key}")
        return _state(row.status, row.response)

    def cancel(self, key: str, cancel_order: Cancel) -> Dict[str, Any]:
        """Cancel what the key stored (and claim the key as cancelled), or claim it before anything is stored."""
        while True:
            try:
                return self._cancel_once(key, cancel_order)
            except _AlreadyClaimed:
                continue  # an order with this key was being stored: now it is committed, cancel it

    def _cancel_once(self, key: str, cancel_order: Cancel) -> Dict[str, Any]:
        table = db.idempotency_keys
        with self.engine.begin() as connection:
            row = connection.execute(select(table).where(table.c.key == key).with_for_update()).first()
            if row is None:
                tombstone = {"error": "order_cancelled", "message": "This order was cancelled.", "number": None}
                try:
                    connection.execute(
                        insert(table).values(
                            key=key, fingerprint="", status=CANCELLED, response=tombstone, created_at=self.now()
                        )
                    )
                except IntegrityError:
                    raise _AlreadyClaimed() from None
                return {"state": NOT_REGISTERED}
            if row.status == CANCELLED:
                return _state(row.status, row.response)
            number = cancel_order(connection, row.response)
            tombstone = {"error": "order_cancelled", "message": f"Order {number} was cancelled.", "number": number}
            connection.execute(update(table).where(table.c.key == key).values(status=CANCELLED, response=tombstone))
        return {"state": WAS_CANCELLED, "number": number}

    def _create_once(self, key: str, request_fingerprint: str, create: Create, conversation: str) -> Response:
        with self.engine.begin() as connection:
            try:
                connection.execute(
                    insert(db.idempotency_keys).values(key=key, fingerprint=request_fingerprint, created_at=self.now())
                )
            except IntegrityError:
                raise _AlreadyClaimed() from None
            if conversation:
                connection.execute(insert(db.order_conversations).values(key=key, conversation=conversation))
            body = create(connection)
            connection.execute(
                update(db.idempotency_keys).where(db.idempotency_keys.c.key == key).values(status=201, response=body)
            )
        return 201, body

    def _stored(self, key: str, request_fingerprint: str) -> Optional[Response]:
        with self.engine.connect() as connection:
            row = connection.execute(select(db.idempotency_keys).where(db.idempotency_keys.c.key == key)).first()
        if row is None:
            return None
        if row.status == CANCELLED:
            return row.status, row.response
        if row.fingerprint != request_fingerprint:
            raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request.")
        return row.status, row.response


def _state(status: int, response: Mapping[str, Any]) -> Dict[str, Any]:
    if status == CANCELLED:
        number = response.get("number")
        return {"state": WAS_CANCELLED, "number": number} if number else {"state": NOT_REGISTERED}
    return {"state": REGISTERED, "order": response}
