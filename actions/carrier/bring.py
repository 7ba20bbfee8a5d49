"""Bring's Tracking API (Posten/Bring, Norway) as the answer to "where is my parcel".

The format is Bring's v2 `tracking.json`: https://developer.bring.com/api/tracking/,
with the status list and example answers in github.com/bring/developer-site
(`api/tracking/api.raml`, `api/tracking/examples/`). Two quirks shape this module:
Bring lists a package's events newest first, and it answers a number it does not
know with HTTP 200 and an `error` object in place of the consignment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Sequence

from actions.carrier.errors import NotFound, Rejected
from actions.carrier.http import HttpPolicy, ResilientClient
from actions.carrier.model import Event, PickupPoint, Shipment, Status
from actions.carrier.orders import TrackingOnly

# Sent as X-Bring-Client-URL, which Bring asks for to tell its API users apart.
DEFAULT_CLIENT_URL = "kundesenter"

# Every event status in Bring's list, onto the stage the customer cares about. None marks
# events that say something (a notice was sent, a home delivery was booked, a deviation)
# without moving the parcel: it stays where the previous event put it. Statuses Bring adds
# later are treated the same way, so a new code never breaks an answer.
STAGES: Dict[str, Optional[Status]] = {
    "PRE_NOTIFIED": Status.REGISTERED,
    "HANDED_IN": Status.IN_TRANSIT,
    "COLLECTED": Status.IN_TRANSIT,
    "IN_TRANSIT": Status.IN_TRANSIT,
    "INTERNATIONAL": Status.IN_TRANSIT,
    "TERMINAL": Status.AT_TERMINAL,
    "TRANSPORT_TO_RECIPIENT": Status.OUT_FOR_DELIVERY,
    "ARRIVED_DELIVERY": Status.OUT_FOR_DELIVERY,
    "READY_FOR_PICKUP": Status.READY_FOR_PICKUP,
    "ATTEMPTED_DELIVERY": Status.DELIVERY_ATTEMPTED,
    "DELIVERED": Status.DELIVERED,
    "RETURN": Status.RETURNED_TO_SENDER,
    "DELIVERED_SENDER": Status.RETURNED_TO_SENDER,
    "CUSTOMS": Status.HELD_IN_CUSTOMS,
    "ARRIVED_COLLECTION": None,  # the driver is at the sender's to collect it
    "NOTIFICATION_SENT": None,
    "DELIVERY_ORDERED": None,
    "DELIVERY_CHANGED": None,
    "DELIVERY_CANCELLED": None,
    "DEVIATION": None,
    "UNKNOWN": None,
}


class BringTracking(TrackingOnly):
    """Tracking through Bring; made once per process so the circuit breaker sees every conversation."""

    carrier_name = "Bring"

    def __init__(self, client: ResilientClient) -> None:
        self.client = client

    async def shipment(self, tracking_number: str) -> Shipment:
        number = "".join(tracking_number.split()).upper()
        return parse(number, await self.client.get("", params={"q": number}))


def from_settings(section: Mapping[str, Any], policy: HttpPolicy) -> BringTracking:
    """Refuses to start without Mybring credentials: a missing key is the operator's to fix, not the customer's."""
    for key in ("api_uid", "api_key"):
        if not section.get(key):
            raise ValueError(f"carrier.yml: bring.{key} is empty; Bring's Tracking API needs a Mybring login and key")
    headers = {
        "X-Mybring-API-Uid": section["api_uid"],
        "X-Mybring-API-Key": section["api_key"],
        "X-Bring-Client-URL": section.get("client_url") or DEFAULT_CLIENT_URL,
        "Accept": "application/json",
    }
    return BringTracking(ResilientClient(section["url"], policy, headers=headers, name="bring"))


def parse(number: str, body: Mapping[str, Any]) -> Shipment:
    """Bring's answer for `number` as a Shipment; `NotFound` when Bring does not know it."""
    package = _package(number, body)
    events = sorted(
        (event for event in reversed(package.get("eventSet") or []) if event.get("dateIso")),
        key=lambda event: _time(event["dateIso"]),
    )
    timeline = _timeline(events)
    status = timeline[-1].status if timeline else Status.REGISTERED
    waiting = status is Status.READY_FOR_PICKUP
    return Shipment(
        tracking_number=number,
        status=status,
        events=timeline,
        carrier="bring",
        service=package.get("productName") or None,
        expected_delivery=_date(package.get("dateOfEstimatedDelivery")),
        pickup_point=_pickup_point(events) if waiting else None,
        pickup_deadline=_date(package.get("dateOfReturn")) if waiting else None,
    )


def _package(number: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The package asked for: a consignment number finds all its packages, so prefer the one with that number."""
    consignments = body.get("consignmentSet") or []
    if not consignments:
        raise NotFound(number)
    consignment = consignments[0]
    error = consignment.get("error")
    if error:
        code = str(error.get("code", ""))
        if code == "404" or "NOT_FOUND" in code.upper():
            raise NotFound(error.get("message") or number)
        raise Rejected(code, str(error.get("message", "")))
    packages = consignment.get("packageSet") or [{}]
    return next((p for p in packages if p.get("packageNumber") == number), packages[0])


def _timeline(events: Sequence[Mapping[str, Any]]) -> List[Event]:
    stage = Status.REGISTERED
    timeline = []
    for event in events:
        stage = STAGES.get(event.get("status", "")) or stage
        timeline.append(
            Event(
                time=_time(event["dateIso"]),
                status=stage,
                location=event.get("city") or event.get("country") or "",
                description=event.get("description", ""),
            )
        )
    return timeline


def _pickup_point(events: Sequence[Mapping[str, Any]]) -> PickupPoint:
    """Where the latest ready-for-pickup event happened. Bring's tracking names no pickup point: only its
    unit id (for Bring's Pickup Point API), postcode and town."""
    unit = next(e for e in reversed(events) if STAGES.get(e.get("status", "")) is Status.READY_FOR_PICKUP)
    return PickupPoint(
        id=str(unit.get("unitId", "")),
        name="",
        address="",
        postcode=unit.get("postalCode", ""),
        town=unit.get("city", ""),
        country=unit.get("countryCode", ""),
    )


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _date(text: Optional[str]) -> Optional[dt.date]:
    """Bring writes dates as 01.12.2011 (dateOfReturn); an ISO date is accepted too, anything else is no date."""
    for layout in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text or "", layout).date()
        except ValueError:
            continue
    return None
