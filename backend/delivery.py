"""Which delivery options a parcel still has, and booking one of them.

Options are derived, not stored: the next working days of the parcel's country,
filtered by what its status still allows. Their ids are made from kind and date,
so the same parcel offers the same ids all day and a booking can be checked
against a fresh list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy.engine import Connection, Engine, Row

from backend.errors import ApiError
from backend.holidays import HolidayCalendar
from backend.orders import Orders
from backend.rules import OptionRule, Rules
from backend.tracking import Tracking

PICKUP_KINDS = ("pickup_point", "parcel_locker")


class Delivery:
    def __init__(
        self, engine: Engine, tracking: Tracking, orders: Orders, rules: Rules, calendar: HolidayCalendar
    ) -> None:
        self.engine = engine
        self.tracking = tracking
        self.orders = orders
        self.rules = rules
        self.calendar = calendar

    def options(self, number: str) -> List[Dict[str, Any]]:
        with self.engine.connect() as connection:
            return self._options(connection, number)

    def book(self, connection: Connection, number: str, body: Mapping[str, Any]) -> Dict[str, Any]:
        """Checked against the options offered now, inside the booking's own transaction."""
        option_id = body.get("option_id")
        option = next((o for o in self._options(connection, number) if o["id"] == option_id), None)
        if option is None:
            raise ApiError(422, "invalid_option", f"{option_id!r} is not one of this parcel's delivery options today.")
        return self.orders.add_booking(connection, number, option)

    def _options(self, connection: Connection, number: str) -> List[Dict[str, Any]]:
        shipment = self.tracking.shipment_row(connection, number)
        kinds = self.rules.changeable.get(shipment.status)
        if kinds is None:
            raise ApiError(
                409, "not_bookable", f"The delivery of a parcel that is {shipment.status} cannot be changed."
            )
        today = self.rules.today()
        offered = []
        for rule in self.rules.delivery_options.get(shipment.country, []):
            place = self._place(connection, shipment, rule.kind) if rule.kind in PICKUP_KINDS else None
            if rule.kind in kinds and (place is not None or rule.kind not in PICKUP_KINDS):
                offered.append(self._option(rule, shipment.country, today, place))
        return offered

    def _option(self, rule: OptionRule, country: str, today: dt.date, place: Optional[Row]) -> Dict[str, Any]:
        day = self.calendar.working_day(country, today, rule.working_day)
        return {
            "id": f"{rule.kind}-{day:%Y%m%d}",
            "kind": rule.kind,
            "date": day.isoformat(),
            "window": list(rule.window) if rule.window else None,
            "pickup_point_name": place.name if place is not None else None,
        }

    def _place(self, connection: Connection, shipment: Row, kind: str) -> Optional[Row]:
        """The parcel's own pickup point when it is of this kind, else the country's first one."""
        if shipment.pickup_point_id:
            own = self.tracking.pickup_point_row(connection, shipment.pickup_point_id)
            if own is not None and own.kind == kind:
                return own
        return self.tracking.first_pickup_point(connection, shipment.country, kind)
