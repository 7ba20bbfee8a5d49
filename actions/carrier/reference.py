"""The reference back-end (`python -m backend`) as the actions see it: its JSON in, model types out.

Orders go here whichever tracking adapter is configured; `parse_opening_hours`
is shared with the Bring and PostNord adapters, whose pickup points carry the
same kind of weekly hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar
from urllib.parse import quote

from actions.carrier.errors import BackendUnavailable, NotFound
from actions.carrier.http import HttpPolicy, ResilientClient
from actions.carrier.model import (
    AddressChangeOrder,
    ComplaintOrder,
    CustomerService,
    END_OF_DAY,
    DeliveryOption,
    Event,
    HoldingTimes,
    Money,
    OpeningHours,
    OrderState,
    PickupPoint,
    Price,
    Receipt,
    Shipment,
    SizeLimit,
    SpecialDay,
    Status,
    TimeRange,
)

T = TypeVar("T")


class ReferenceBackend:
    def __init__(self, client: ResilientClient) -> None:
        self.client = client

    async def shipment(self, tracking_number: str) -> Shipment:
        return _parsed(_shipment, await self.client.get(f"/v1/shipments/{_segment(tracking_number)}"))

    async def pickup_point(self, point_id: str) -> PickupPoint:
        return _parsed(_pickup_point, await self.client.get(f"/v1/pickup-points/{_segment(point_id)}"))

    async def customer_service(self, country: str) -> CustomerService:
        body = await self.client.get("/v1/opening-hours/customer-service", params={"country": country})
        return _parsed(lambda b: CustomerService(b["phone"], parse_opening_hours(b["opening_hours"])), body)

    async def price(self, country: str, kind: str, weight_g: int, destination: str) -> Price:
        """The price, or `Rejected` ("too_heavy", "invalid_destination") when the back-end has none."""
        params = {"country": country, "kind": kind, "weight_g": str(weight_g), "destination": destination}
        return _parsed(_price, await self.client.get("/v1/prices", params=params))

    async def holding_times(self, country: str) -> HoldingTimes:
        body = await self.client.get("/v1/holding-times", params={"country": country})
        return _parsed(lambda b: HoldingTimes(int(b["pickup_point_days"]), int(b["parcel_locker_days"])), body)

    async def size_limits(self, country: str) -> List[SizeLimit]:
        body = await self.client.get("/v1/size-limits", params={"country": country})
        return _parsed(lambda b: [SizeLimit(**limit) for limit in b["limits"]], body)

    async def delivery_options(self, tracking_number: str) -> List[DeliveryOption]:
        body = await self.client.get(f"/v1/shipments/{_segment(tracking_number)}/delivery-options")
        return _parsed(lambda b: [_delivery_option(option) for option in b["options"]], body)

    async def book_delivery(
        self, tracking_number: str, option_id: str, idempotency_key: str, conversation: str = ""
    ) -> Receipt:
        path = f"/v1/shipments/{_segment(tracking_number)}/delivery-bookings"
        return await self._create(path, {"option_id": option_id}, idempotency_key, conversation)

    async def create_address_change(
        self, order: AddressChangeOrder, idempotency_key: str, conversation: str = ""
    ) -> Receipt:
        return await self._create("/v1/address-changes", _address_change_json(order), idempotency_key, conversation)

    async def create_complaint(self, order: ComplaintOrder, idempotency_key: str, conversation: str = "") -> Receipt:
        return await self._create("/v1/complaints", asdict(order), idempotency_key, conversation)

    async def order_state(self, idempotency_key: str) -> OrderState:
        """What is stored under the key; `NotFound` is answered as "not_registered" (nothing stored yet)."""
        try:
            body = await self.client.get(f"/v1/orders/{_segment(idempotency_key)}")
        except NotFound:
            return OrderState("not_registered")
        return _parsed(_order_state, body)

    async def cancel_order(self, idempotency_key: str) -> OrderState:
        """Cancel what the key stored, or make sure nothing will be stored under it: "cancelled" or "not_registered"."""
        return _parsed(_order_state, await self.client.delete(f"/v1/orders/{_segment(idempotency_key)}"))

    async def _create(self, path: str, body: Mapping[str, Any], idempotency_key: str, conversation: str) -> Receipt:
        """The conversation id lets `privacy forget` erase the order's personal data later."""
        headers = {"X-Conversation-Id": conversation} if conversation else {}
        return _parsed(_receipt, await self.client.post(path, body, idempotency_key=idempotency_key, headers=headers))


def from_settings(section: Mapping[str, Any], policy: HttpPolicy) -> ReferenceBackend:
    return ReferenceBackend(ResilientClient(section["url"], policy, name="reference back-end"))


def parse_opening_hours(body: Mapping[str, Any]) -> OpeningHours:
    """`{"weekly": {"mon": [["08:00", "20:00"]], ...}, "special_days": [{"date", "name", "hours"}]}`."""
    return OpeningHours(
        weekly={day: _ranges(ranges) for day, ranges in body["weekly"].items()},
        special_days={
            dt.date.fromisoformat(special["date"]): SpecialDay(dict(special["name"]), _ranges(special["hours"]))
            for special in body.get("special_days") or []
        },
    )


def _parsed(parse: Callable[[Any], T], body: Any) -> T:
    """An answer that does not have the agreed shape counts as a back-end failure, not a crash of the action."""
    try:
        return parse(body)
    except (KeyError, TypeError, ValueError, AttributeError) as problem:
        raise BackendUnavailable(
            f"reference back-end: unexpected answer ({type(problem).__name__}: {problem})"
        ) from None


def _receipt(body: Mapping[str, Any]) -> Receipt:
    """A booking, address change or complaint as stored, told apart by the name of its number."""
    if "booking_id" in body:
        return Receipt(body["booking_id"], details={"option": _delivery_option(body["option"])})
    if "case_number" in body:
        return Receipt(body["case_number"], handling_days=int(body["handling_days"]))
    return Receipt(body["receipt_number"])


def _order_state(body: Mapping[str, Any]) -> OrderState:
    state = body["state"]
    if state == "registered":
        return OrderState(state, receipt=_receipt(body["order"]))
    if state in ("cancelled", "not_registered"):
        return OrderState(state, number=body.get("number"))
    raise ValueError(f"unknown order state {state!r}")


def _price(body: Mapping[str, Any]) -> Price:
    money = body["price"]
    return Price(body["kind"], body["destination"], body["zone"], int(body["up_to_g"]),
                 Money(Decimal(money["amount"]), money["currency"]))


def _segment(value: str) -> str:
    return quote(value, safe="")


def _ranges(ranges: List[List[str]]) -> Tuple[TimeRange, ...]:
    return tuple(_range(pair) for pair in ranges)


def _range(pair: List[str]) -> TimeRange:
    opens, closes = pair
    return dt.time.fromisoformat(opens), END_OF_DAY if closes == "24:00" else dt.time.fromisoformat(closes)


def _date(value: Optional[str]) -> Optional[dt.date]:
    return dt.date.fromisoformat(value) if value else None


def _pickup_point(body: Mapping[str, Any]) -> PickupPoint:
    hours = body.get("opening_hours")
    return PickupPoint(
        id=body["id"],
        name=body["name"],
        address=body["address"],
        postcode=body["postcode"],
        town=body["town"],
        country=body["country"],
        opening_hours=parse_opening_hours(hours) if hours else None,
    )


def _shipment(body: Mapping[str, Any]) -> Shipment:
    customs = body.get("customs")
    point = body.get("pickup_point")
    return Shipment(
        tracking_number=body["tracking_number"],
        status=Status(body["status"]),
        events=[
            Event(
                dt.datetime.fromisoformat(e["time"]),
                Status(e["status"]),
                e.get("location", ""),
                e.get("description", ""),
            )
            for e in body["events"]
        ],
        carrier="reference",
        service=body.get("service"),
        expected_delivery=_date(body.get("expected_delivery")),
        pickup_point=_pickup_point(point) if point else None,
        pickup_deadline=_date(body.get("pickup_deadline")),
        customs_amount=Money(Decimal(customs["amount"]), customs["currency"]) if customs else None,
    )


def _delivery_option(body: Mapping[str, Any]) -> DeliveryOption:
    window = body.get("window")
    return DeliveryOption(
        id=body["id"],
        kind=body["kind"],
        date=dt.date.fromisoformat(body["date"]),
        window=_range(window) if window else None,
        pickup_point_name=body.get("pickup_point_name"),
    )


def _address_change_json(order: AddressChangeOrder) -> Dict[str, Any]:
    """The model's fields are the API's fields; only dates need spelling out."""
    return {
        **asdict(order),
        "start_date": order.start_date.isoformat(),
        "end_date": order.end_date.isoformat() if order.end_date else None,
    }
