"""Exactly-once orders for clients that retry: an Idempotency-Key is claimed in the order's own transaction.

The bot retries a POST when an answer is lost, so the same order can arrive
twice, even at the same moment. The key's row is inserted first in the
transaction that stores the order; its primary key makes a second request wait
for the first and then fail to claim, and that request answers with what the
first one stored. A key sent again with a different body is refused.
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
from backend.errors import ApiError

Response = Tuple[int, Dict[str, Any]]
Create = Callable[[Connection], Dict[str, Any]]


class _AlreadyClaimed(Exception):
    pass


def fingerprint(method: str, path: str, body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode("utf-8")).hexdigest()


class Idempotency:
    def __init__(self, engine: Engine, now: Callable[[], dt.datetime]) -> None:
        self.engine = engine
        self.now = now

    def run(self, key: str, request_fingerprint: str, create: Create) -> Response:
        """201 with what `create` stored, or the stored answer of an earlier request with this key."""
        while True:
            stored = self._stored(key, request_fingerprint)
            if stored is not None:
                return stored
            try:
                return self._create_once(key, request_fingerprint, create)
            except _AlreadyClaimed:
                continue  # a concurrent request committed this key first: replay its answer

    def _create_once(self, key: str, request_fingerprint: str, create: Create) -> Response:
        with self.engine.begin() as connection:
            try:
                connection.execute(
                    insert(db.idempotency_keys).values(key=key, fingerprint=request_fingerprint, created_at=self.now())
                )
            except IntegrityError:
                raise _AlreadyClaimed() from None
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
        if row.fingerprint != request_fingerprint:
            raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request.")
        return row.status, row.response
