"""Shipments, pickup points and customer-service hours, read from the database as API JSON."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine, Row

from backend import database as db
from backend.errors import ApiError, not_found
from backend.holidays import HolidayCalendar
from backend.opening_hours import Hours, opening_hours, special_days_window
from backend.rules import Rules
from bot.identifiers.tracking import parse_tracking_number

STATUSES = (
    "registered",
    "in_transit",
    "at_terminal",
    "out_for_delivery",
    "ready_for_pickup",
    "delivered",
    "delivery_attempted",
    "returned_to_sender",
    "held_in_customs",
)


def tracking_number(written: str) -> str:
    """The number as stored (upper case, no spaces), or 400 when its format or check digit is wrong."""
    parsed = parse_tracking_number(written)
    if parsed is None:
        raise ApiError(400, "invalid_tracking_number", "Not a valid tracking number (format or check digit).")
    return parsed.value


class Tracking:
    def __init__(self, engine: Engine, rules: Rules, calendar: HolidayCalendar) -> None:
        self.engine = engine
        self.rules = rules
        self.calendar = calendar

    def shipment(self, number: str) -> Dict[str, Any]:
        with self.engine.connect() as connection:
            row = self.shipment_row(connection, number)
            history = connection.execute(
                select(db.events)
                .where(db.events.c.tracking_number == number)
                .order_by(db.events.c.time, db.events.c.id)
            ).all()
            point = self.pickup_point_row(connection, row.pickup_point_id) if row.pickup_point_id else None
        return {
            "tracking_number": row.tracking_number,
            "country": row.country,
            "service": row.service,
            "status": row.status,
            "events": [
                {
                    "time": event.time.astimezone(self.rules.timezone).isoformat(),
                    "status": event.status,
                    "location": event.location,
                    "description": event.description,
                }
                for event in history
            ],
            "expected_delivery": _iso(row.expected_delivery),
            "pickup_point": self._pickup_point_json(point) if point else None,
            "pickup_deadline": _iso(row.pickup_deadline),
            "customs": _money(row.customs_amount_minor, row.customs_currency),
        }

    def shipment_row(self, connection: Connection, number: str) -> Row:
        row = connection.execute(select(db.shipments).where(db.shipments.c.tracking_number == number)).first()
        if row is None:
            raise not_found(f"shipment with tracking number {number}")
        return row

    def pickup_point(self, point_id: str) -> Dict[str, Any]:
        with self.engine.connect() as connection:
            row = self.pickup_point_row(connection, point_id)
        if row is None:
            raise not_found(f"pickup point {point_id}")
        return self._pickup_point_json(row)

    def first_pickup_point(self, connection: Connection, country: str, kind: str) -> Optional[Row]:
        """The country's default pickup point of a kind, for parcels that have none of their own."""
        query = select(db.pickup_points).where(db.pickup_points.c.country == country, db.pickup_points.c.kind == kind)
        return connection.execute(query.order_by(db.pickup_points.c.id)).first()

    def customer_service(self, country: str) -> Dict[str, Any]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(db.customer_service).where(db.customer_service.c.country == country)
            ).first()
        if row is None:
            raise ApiError(400, "invalid_country", "country must be NO or SE.")
        return {
            "country": row.country,
            "phone": row.phone,
            "opening_hours": self._opening_hours(row.country, row.weekly, row.holiday_hours),
        }

    def pickup_point_row(self, connection: Connection, point_id: str) -> Optional[Row]:
        return connection.execute(select(db.pickup_points).where(db.pickup_points.c.id == point_id)).first()

    def _pickup_point_json(self, row: Row) -> Dict[str, Any]:
        return {
            "id": row.id,
            "name": row.name,
            "address": row.address,
            "postcode": row.postcode,
            "town": row.town,
            "country": row.country,
            "opening_hours": self._opening_hours(
                row.country, row.weekly, row.holiday_hours, bool(row.observes_holidays)
            ),
        }

    def _opening_hours(
        self,
        country: str,
        weekly: Mapping[str, Hours],
        holiday_hours: Mapping[str, Hours],
        observes_holidays: bool = True,
    ) -> Dict[str, Any]:
        first, last = special_days_window(self.rules.today(), self.rules.special_days_ahead)
        holidays = self.calendar.between(country, first, last) if observes_holidays else []
        return opening_hours(weekly, holiday_hours, holidays)


def _iso(value: Any) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _money(minor: Optional[int], currency: Optional[str]) -> Optional[Dict[str, str]]:
    if minor is None:
        return None
    return {"amount": f"{minor // 100}.{minor % 100:02d}", "currency": currency}
