"""Erasing one conversation's personal data: its orders anonymised, its stored answers deleted.

The orders stay, numbered and dated but without name, addresses, description or
contact: a receipt already handed out must remain explainable to bookkeeping and
to the carrier's own follow-up. The idempotency records are deleted whole, since
their stored answers repeat the order. On SQLite the deleted bytes are overwritten
(`secure_delete`) and the write-ahead log is emptied, so no copy is left in the files.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from backend import database as db
from backend.orders import Orders
from bot.sql import empty_write_ahead_log, erase_securely

IDEMPOTENCY_RECORDS = "idempotency_records"


def erase_conversation(engine: Engine, orders: Orders, conversation: str) -> Dict[str, int]:
    """Per store, how many records lost their personal data (orders) or were deleted (idempotency records)."""
    keys = select(db.order_conversations.c.key).where(db.order_conversations.c.conversation == conversation)
    counts: Counter = Counter({"address_changes": 0, "complaints": 0, "delivery_bookings": 0})
    with engine.begin() as connection:
        erase_securely(connection)
        records = connection.execute(select(db.idempotency_keys).where(db.idempotency_keys.c.key.in_(keys))).all()
        for record in records:  # a stored order (201) or a cancelled one (409, with its number if it was stored)
            if record.response and (record.status == 201 or record.response.get("number")):
                counts[orders.erase(connection, record.response)] += 1
        counts[IDEMPOTENCY_RECORDS] = connection.execute(
            delete(db.idempotency_keys).where(db.idempotency_keys.c.key.in_(keys))
        ).rowcount
        connection.execute(delete(db.order_conversations).where(db.order_conversations.c.conversation == conversation))
    empty_write_ahead_log(engine)
    return dict(counts)
