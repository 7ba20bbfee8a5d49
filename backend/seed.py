"""Writes the demo data into the database, dated relative to the day the service starts.

The file gives offsets ("two days ago at 08:15", "the next working day"), so a
demo run next year shows parcels that moved yesterday, not last year. Only
reference data is replaced; orders created through the API are left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from backend import database as db
from backend.holidays import HolidayCalendar
from backend.tracking import STATUSES
from bot.identifiers.tracking import parse_tracking_number


class DemoDates:
    """Turns the file's relative dates into real ones for a given start day."""

    def __init__(self, start: dt.date, timezone: ZoneInfo, calendar: HolidayCalendar) -> None:
        self.start = start
        self.timezone = timezone
        self.calendar = calendar

    def date(self, offset: Optional[Mapping[str, int]], country: str) -> Optional[dt.date]:
        if offset is None:
            return None
        if "working_day" in offset:
            return self.calendar.working_day(country, self.start, offset["working_day"])
        return self.start + dt.timedelta(days=offset["day"])

    def moment(self, offset: Mapping[str, Any]) -> dt.datetime:
        day = self.start + dt.timedelta(days=offset["day"])
        return dt.datetime.combine(day, dt.time.fromisoformat(offset["time"]), self.timezone)


def write_demo(engine: Engine, path: Path, dates: DemoDates) -> None:
    """Replace the reference data in one transaction, so a running client never sees half of it."""
    demo = yaml.safe_load(path.read_text(encoding="utf-8"))
    shipments = [_shipment(raw, dates) for raw in demo["shipments"]]
    with engine.begin() as connection:
        for table in (db.customer_service, db.pickup_points, db.shipments, db.events):
            connection.execute(delete(table))
        connection.execute(
            insert(db.customer_service), [_customer_service(c, raw) for c, raw in demo["customer_service"].items()]
        )
        connection.execute(insert(db.pickup_points), [_pickup_point(raw) for raw in demo["pickup_points"]])
        connection.execute(insert(db.shipments), [row for row, _ in shipments])
        connection.execute(insert(db.events), [event for _, history in shipments for event in history])


def _customer_service(country: str, raw: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "country": country,
        "phone": raw["phone"],
        "weekly": raw["weekly"],
        "holiday_hours": raw.get("holiday_hours") or {},
    }


def _pickup_point(raw: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        **{key: raw[key] for key in ("id", "kind", "name", "address", "postcode", "town", "country", "weekly")},
        "holiday_hours": raw.get("holiday_hours") or {},
        "observes_holidays": int(raw.get("observes_holidays", True)),
    }


def _shipment(raw: Mapping[str, Any], dates: DemoDates) -> tuple[Dict[str, Any], List[Dict[str, Any]]]:
    number, country = str(raw["tracking_number"]), raw["country"]
    parsed = parse_tracking_number(number)
    if parsed is None or parsed.value != number:
        raise ValueError(f"demo data: {number} is not a valid, normalised tracking number")
    history = [
        {
            "tracking_number": number,
            "time": dates.moment(event),
            "status": event["status"],
            "location": event["location"],
            "description": event["description"],
        }
        for event in raw["events"]
    ]
    if not history or any(event["status"] not in STATUSES for event in history):
        raise ValueError(f"demo data: {number} needs events, each with one of {', '.join(STATUSES)}")
    customs = raw.get("customs")
    row = {
        "tracking_number": number,
        "country": country,
        "service": raw.get("service"),
        "status": history[-1]["status"],
        "expected_delivery": dates.date(raw.get("expected_delivery"), country),
        "pickup_point_id": raw.get("pickup_point"),
        "pickup_deadline": dates.date(raw.get("pickup_deadline"), country),
        "customs_amount_minor": int(Decimal(customs["amount"]) * 100) if customs else None,
        "customs_currency": customs["currency"] if customs else None,
    }
    return row, history
