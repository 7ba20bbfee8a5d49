"""PostNord's Track & Trace API (Sweden, Denmark, Norway) as the answer to "where is my parcel".

The format is `findByIdentifier.json` of shipment-v5-trackandtrace, as published on
https://developer.postnord.com/api/details?systemName=shipment-v5-trackandtrace
(TrackingInformationResponse → ShipmentDto → ItemDto → TrackingEventDto, DeliveryPointDto
with `openingHour`, and PostNord's status enum). A number PostNord does not know is an
empty `shipments` list with HTTP 200. `stoppedInCustoms` is taken from the later v7 model
of the same DTOs; absent, it reads as false.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from actions.carrier.errors import NotFound
from actions.carrier.http import HttpPolicy, ResilientClient
from actions.carrier.model import WEEKDAYS, Event, OpeningHours, PickupPoint, Shipment, Status, TimeRange
from actions.carrier.orders import TrackingOnly

# Event descriptions come in this language: en, sv, no, da or fi.
DEFAULT_LOCALE = "sv"
# Sweden, Norway and Denmark share one clock; a time without an offset is read on it.
NORDIC = ZoneInfo("Europe/Stockholm")

# PostNord's status enum (shipments, items and events share it) onto the stage the customer
# cares about. None marks statuses that do not move the parcel (a notice, a delay, a split);
# the parcel stays where the previous event put it, and so it does for codes PostNord adds later.
# STOPPED is customs only when the item says so (see `_stages`).
STAGES: Dict[str, Optional[Status]] = {
    "CREATED": Status.REGISTERED,
    "EN_ROUTE": Status.IN_TRANSIT,
    "AVAILABLE_FOR_DELIVERY": Status.READY_FOR_PICKUP,
    "AVAILABLE_FOR_DELIVERY_PAR_LOC": Status.READY_FOR_PICKUP,
    "DELIVERED": Status.DELIVERED,
    "DELIVERY_IMPOSSIBLE": Status.DELIVERY_ATTEMPTED,
    "DELIVERY_REFUSED": Status.RETURNED_TO_SENDER,
    "RETURNED": Status.RETURNED_TO_SENDER,
    "INFORMED": None,
    "DELAYED": None,
    "EXPECTED_DELAY": None,
    "STOPPED": None,
    "SPLIT": None,
    "OTHER": None,
}

_DAYS = dict(zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), WEEKDAYS))


class PostNordTracking(TrackingOnly):
    """Tracking through PostNord; made once per process so the circuit breaker sees every conversation."""

    carrier_name = "PostNord"

    def __init__(self, client: ResilientClient, api_key: str, locale: str) -> None:
        self.client = client
        self.api_key = api_key
        self.locale = locale

    async def shipment(self, tracking_number: str) -> Shipment:
        number = "".join(tracking_number.split()).upper()
        body = await self.client.get("", params={"id": number, "locale": self.locale, "apikey": self.api_key})
        return parse(number, body)


def from_settings(section: Mapping[str, Any], policy: HttpPolicy) -> PostNordTracking:
    """Refuses to start without an API key: a missing key is the operator's to fix, not the customer's."""
    if not section.get("api_key"):
        raise ValueError("carrier.yml: postnord.api_key is empty; PostNord's Track & Trace API needs an API key")
    client = ResilientClient(section["url"], policy, headers={"Accept": "application/json"}, name="postnord")
    return PostNordTracking(client, section["api_key"], section.get("locale") or DEFAULT_LOCALE)


def parse(number: str, body: Mapping[str, Any]) -> Shipment:
    """PostNord's answer for `number` as a Shipment; `NotFound` when PostNord does not know it."""
    shipments = (body.get("TrackingInformationResponse") or {}).get("shipments") or []
    if not shipments:
        raise NotFound(number)
    shipment = shipments[0]
    items = shipment.get("items") or [{}]
    item = next((i for i in items if i.get("itemId") == number), items[0])
    stages = _stages(item)
    timeline = _timeline(item.get("events") or [], stages)
    status = stages.get(shipment.get("status", "")) or (timeline[-1].status if timeline else Status.REGISTERED)
    waiting = status is Status.READY_FOR_PICKUP
    point = shipment.get("deliveryPoint") or shipment.get("destinationDeliveryPoint")
    return Shipment(
        tracking_number=number,
        status=status,
        events=timeline,
        carrier="postnord",
        service=(shipment.get("service") or {}).get("name") or None,
        expected_delivery=_date(shipment.get("estimatedTimeOfArrival") or item.get("estimatedTimeOfArrival")),
        pickup_point=_pickup_point(point) if waiting and point else None,
        pickup_deadline=_date(shipment.get("returnDate") or item.get("returnDate")) if waiting else None,
    )


def _stages(item: Mapping[str, Any]) -> Mapping[str, Optional[Status]]:
    """STOPPED is customs only when the item is flagged; otherwise it may be an address problem or a sender's stop."""
    return {**STAGES, "STOPPED": Status.HELD_IN_CUSTOMS} if item.get("stoppedInCustoms") else STAGES


def _timeline(events: Sequence[Mapping[str, Any]], stages: Mapping[str, Optional[Status]]) -> List[Event]:
    stage = Status.REGISTERED
    timeline = []
    for event in sorted((e for e in events if e.get("eventTime")), key=lambda e: _time(e["eventTime"])):
        stage = stages.get(event.get("status", "")) or stage
        location = event.get("location") or {}
        timeline.append(
            Event(
                time=_time(event["eventTime"]),
                status=stage,
                location=location.get("displayName") or location.get("name") or location.get("city") or "",
                description=event.get("eventDescription", ""),
            )
        )
    return timeline


def _pickup_point(point: Mapping[str, Any]) -> PickupPoint:
    address = point.get("address") or {}
    return PickupPoint(
        id=str(point.get("locationId", "")),
        name=point.get("displayName") or point.get("name", ""),
        address=", ".join(filter(None, (address.get("street1"), address.get("street2")))),
        postcode=address.get("postCode") or point.get("postcode", ""),
        town=address.get("city") or point.get("city", ""),
        country=address.get("countryCode") or point.get("countryCode", ""),
        opening_hours=_opening_hours(point.get("openingHour") or []),
    )


def _opening_hours(entries: Sequence[Mapping[str, Any]]) -> Optional[OpeningHours]:
    """Each entry is one or two time ranges and the weekdays they apply to; days no entry names are closed."""
    if not entries:
        return None
    weekly: Dict[str, Tuple[TimeRange, ...]] = {}
    for entry in entries:
        pairs = ((entry.get("openFrom"), entry.get("openTo")), (entry.get("openFrom2"), entry.get("openTo2")))
        ranges = tuple((_clock(start), _clock(end)) for start, end in pairs if start and end)
        for name, day in _DAYS.items():
            if entry.get(name):
                weekly[day] = weekly.get(day, ()) + ranges
    return OpeningHours(weekly=weekly)


def _clock(text: str) -> dt.time:
    """PostNord writes 0800 or 08:00; closing at 2400 is read as the last minute of the day."""
    digits = text.replace(":", "")
    if digits >= "2400":
        return dt.time(23, 59)
    return dt.time(int(digits[:2]), int(digits[2:4]))


def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=NORDIC)


def _date(text: Optional[str]) -> Optional[dt.date]:
    """The Nordic calendar day of a PostNord time, which often comes in UTC."""
    return _time(text).astimezone(NORDIC).date() if text else None
