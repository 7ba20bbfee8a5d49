"""Stored orders: delivery bookings, address changes and complaints, with their customer-facing numbers.

Writers take the caller's connection, so an order, its number and its
idempotency key are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.sql import ColumnElement

from backend import database as db
from backend.errors import not_found
from backend.rules import Rules

LIST_LIMIT = 100  # newest first; agents search by name or tracking number, not by paging
ERASED = "[erased]"
# What an order's stored answer is numbered by, and where it lives. Erasure keeps the row
# (a receipt already given out must stay explainable to bookkeeping) without personal data.
_KINDS = {  # number column: (table, number prefix, personal fields)
    "booking_id": (db.bookings, "BK", ()),  # a parcel and a delivery option: nothing personal to remove
    "receipt_number": (db.address_changes, "AE", ("name", "old_address", "new_address")),
    "case_number": (db.complaints, "RK", ("description", "contact")),
}


class Orders:
    def __init__(self, engine: Engine, rules: Rules) -> None:
        self.engine = engine
        self.rules = rules

    def add_booking(self, connection: Connection, tracking_number: str, option: Mapping[str, Any]) -> Dict[str, Any]:
        """The new booking replaces any earlier one for the parcel: a parcel is delivered one way."""
        connection.execute(
            update(db.bookings)
            .where(db.bookings.c.tracking_number == tracking_number, db.bookings.c.status == "active")
            .values(status="replaced")
        )
        values = {"tracking_number": tracking_number, "option": dict(option), "status": "active"}
        row = self._insert_numbered(connection, "booking_id", values)
        return _booking_json(row)

    def add_address_change(self, connection: Connection, order: Mapping[str, Any]) -> Dict[str, Any]:
        values = {"name_key": order["name"].casefold(), "document": dict(order)}
        row = self._insert_numbered(connection, "receipt_number", values)
        return _document_json(row, "receipt_number")

    def add_complaint(self, connection: Connection, order: Mapping[str, Any]) -> Dict[str, Any]:
        handling_days = self.rules.complaint_handling_days[order["type"]]
        values = {"tracking_number": order["tracking_number"], "document": {**order, "handling_days": handling_days}}
        return _document_json(
            self._insert_numbered(connection, "case_number", values), "case_number"
        )

    def cancel(self, connection: Connection, stored: Mapping[str, Any]) -> str:
        """Mark the order an earlier answer describes as cancelled; its number."""
        column, number = _numbered(stored)
        table = _KINDS[column][0]
        if table is db.bookings:
            connection.execute(update(table).where(table.c.booking_id == number).values(status="cancelled"))
        else:
            self._rewrite(connection, table, column, number, {"status": "cancelled"})
        return number

    def erase(self, connection: Connection, stored: Mapping[str, Any]) -> str:
        """Remove the personal data of the order an answer describes (or a cancellation names); its kind."""
        column, number = _numbered(stored)
        table, _, personal = _KINDS[column]
        if personal:
            self._rewrite(connection, table, column, number, {**{field: None for field in personal}, "erased": True})
        if table is db.address_changes:
            connection.execute(update(table).where(table.c.receipt_number == number).values(name_key=ERASED))
        return table.name

    def _rewrite(
        self, connection: Connection, table: Table, column: str, number: str, changes: Mapping[str, Any]
    ) -> None:
        row = connection.execute(select(table).where(table.c[column] == number)).first()
        if row is not None:
            document = {**row.document, **changes}
            connection.execute(update(table).where(table.c.id == row.id).values(document=document))

    def bookings(self, tracking_number: str) -> List[Dict[str, Any]]:
        rows = self._newest(db.bookings, db.bookings.c.tracking_number == tracking_number)
        return [_booking_json(row) for row in rows]

    def address_changes(self, name: Optional[str]) -> List[Dict[str, Any]]:
        condition = db.address_changes.c.name_key == name.strip().casefold() if name else None
        return [_document_json(row, "receipt_number") for row in self._newest(db.address_changes, condition)]

    def address_change(self, receipt_number: str) -> Dict[str, Any]:
        row = self._one(db.address_changes, db.address_changes.c.receipt_number == receipt_number.upper())
        if row is None:
            raise not_found(f"address change with receipt number {receipt_number}")
        return _document_json(row, "receipt_number")

    def complaints(self, tracking_number: Optional[str]) -> List[Dict[str, Any]]:
        condition = db.complaints.c.tracking_number == tracking_number if tracking_number else None
        return [_document_json(row, "case_number") for row in self._newest(db.complaints, condition)]

    def complaint(self, case_number: str) -> Dict[str, Any]:
        row = self._one(db.complaints, db.complaints.c.case_number == case_number.upper())
        if row is None:
            raise not_found(f"complaint with case number {case_number}")
        return _document_json(row, "case_number")

    def _insert_numbered(self, connection: Connection, number_column: str, values: Mapping[str, Any]) -> Row:
        """Insert, then number the row from its id ("AE-2026-000042"): unique without a guess-and-retry loop."""
        table, prefix, _ = _KINDS[number_column]
        now = self.rules.now()
        row_id = connection.execute(insert(table).values(**values, created_at=now)).inserted_primary_key[0]
        number = f"{prefix}-{now.year}-{row_id:06d}"
        connection.execute(update(table).where(table.c.id == row_id).values({number_column: number}))
        return connection.execute(select(table).where(table.c.id == row_id)).one()

    def _newest(self, table: Table, condition: Optional[ColumnElement]) -> List[Row]:
        query = select(table).order_by(table.c.id.desc()).limit(LIST_LIMIT)
        with self.engine.connect() as connection:
            return connection.execute(query if condition is None else query.where(condition)).all()

    def _one(self, table: Table, condition: ColumnElement) -> Optional[Row]:
        with self.engine.connect() as connection:
            return connection.execute(select(table).where(condition)).first()


def _numbered(stored: Mapping[str, Any]) -> Tuple[str, str]:
    """(number column, number) of a stored answer, or of a cancellation's `{"number": "AE-..."}`."""
    for column, (_, prefix, _) in _KINDS.items():
        number = stored.get(column) or stored.get("number") or ""
        if column in stored or number.startswith(prefix + "-"):
            return column, number
    raise ValueError(f"not an order: {sorted(stored)}")


def _booking_json(row: Row) -> Dict[str, Any]:
    return {
        "booking_id": row.booking_id,
        "tracking_number": row.tracking_number,
        "option": row.option,
        "status": row.status,
        "created_at": _timestamp(row.created_at),
    }


def _document_json(row: Row, number_column: str) -> Dict[str, Any]:
    """The stored order as sent back: its number first, then the normalised order, then when it was made."""
    return {number_column: row._mapping[number_column], **row.document, "created_at": _timestamp(row.created_at)}


def _timestamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")
