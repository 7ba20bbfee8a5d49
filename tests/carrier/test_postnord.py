"""A Swedish customer asks where a PostNord parcel is, and the bot asks PostNord's Track & Trace API.

The fixtures follow PostNord's published data model for shipment-v5-trackandtrace findByIdentifier
(https://developer.postnord.com/api/details?systemName=shipment-v5-trackandtrace, as transcribed in
public clients): TrackingInformationResponse.shipments[] with status, statusText, service,
estimatedTimeOfArrival, returnDate, deliveryPoint (address, openingHour with openFrom/openTo,
openFrom2/openTo2 and weekday flags) and items[].events[] (eventTime, eventCode, status,
eventDescription, location with displayName/locationType). `stoppedInCustoms` comes from PostNord's
Track & Trace v7 OpenAPI document of the same DTOs. An unknown id is an empty `shipments` list with HTTP 200.
The fake PostNord below checks the apikey query parameter and answers 403 without it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from aiohttp import web

from actions import carrier
from actions.carrier import postnord
from actions.carrier.errors import BackendUnavailable, NotFound
from actions.carrier.http import HttpPolicy
from actions.carrier.model import Shipment, Status

PATH = "/rest/shipment/v5/trackandtrace/findByIdentifier.json"
FIXTURES = Path(__file__).parent / "fixtures" / "postnord"
API_KEY = "0123456789abcdef0123456789abcdef"
ANSWERS = {
    "373500410012345677": "in_transit.json",
    "373500410012346896": "ready_for_pickup.json",
    "373500410012347916": "delivered.json",
    "373500410012348135": "attempted_delivery.json",
    "373500410012349026": "returned.json",
    "LX405123784CN": "customs.json",
}
POLICY = HttpPolicy(timeout_seconds=2.0, retries=1, backoff_seconds=0.01)


async def answer_as_postnord(request: web.Request) -> web.StreamResponse:
    if request.query.get("apikey") != API_KEY:
        return web.json_response({"message": "Authentication failed"}, status=403)
    fixture = ANSWERS.get(request.query.get("id", ""), "not_found.json")
    return web.Response(body=(FIXTURES / fixture).read_bytes(), content_type="application/json")


@pytest.fixture
def postnord_api(vendor):
    return vendor(PATH, answer_as_postnord)


def track(url: str, number: str, policy: HttpPolicy = POLICY) -> Shipment:
    adapter = postnord.from_settings({"url": url, "api_key": API_KEY}, policy)
    return asyncio.run(adapter.shipment(number))


def test_parcel_on_its_way_has_its_journey_and_an_expected_day_in_swedish_time(postnord_api):
    shipment = track(postnord_api.url, "373500410012345677")

    assert shipment.status is Status.IN_TRANSIT
    assert (shipment.carrier, shipment.service) == ("postnord", "MyPack Collect")
    assert shipment.expected_delivery == dt.date(2024, 11, 14)  # 23:00 UTC is midnight in Sweden
    assert [e.status for e in shipment.events] == [
        Status.REGISTERED, Status.IN_TRANSIT, Status.IN_TRANSIT, Status.IN_TRANSIT,
    ]
    assert shipment.events[0].time == dt.datetime(2024, 11, 11, 14, 2, 18, tzinfo=dt.timezone.utc)
    assert shipment.latest_event.location == "Hallsberg"
    assert shipment.latest_event.description == "Försändelsen har lämnat terminalen."
    assert shipment.pickup_point is None


def test_parcel_waiting_at_a_service_point_tells_where_when_open_and_until_when(postnord_api):
    shipment = track(postnord_api.url, "373500410012346896")

    assert shipment.status is Status.READY_FOR_PICKUP
    assert shipment.latest_event.status is Status.READY_FOR_PICKUP  # the SMS notice does not move the parcel
    point = shipment.pickup_point
    assert (point.id, point.name, point.address) == ("3413", "Linnéplatsens Tobak & Spel", "Linnégatan 50")
    assert (point.postcode, point.town, point.country) == ("41308", "GÖTEBORG", "SE")
    hours = point.opening_hours
    assert hours.on(dt.date(2024, 11, 18)) == (
        (dt.time(10, 0), dt.time(13, 0)), (dt.time(14, 0), dt.time(19, 0)),
    )  # a Monday, closed for lunch
    assert hours.on(dt.date(2024, 11, 23)) == ((dt.time(10, 0), dt.time(15, 0)),)  # Saturday
    assert hours.on(dt.date(2024, 11, 24)) == ()  # Sunday: closed
    assert shipment.pickup_deadline == dt.date(2024, 11, 28)


def test_delivered_parcel(postnord_api):
    shipment = track(postnord_api.url, "373500410012347916")

    assert shipment.status is Status.DELIVERED
    assert shipment.latest_event.time == dt.datetime(2024, 11, 14, 15, 42, 10, tzinfo=dt.timezone.utc)
    assert shipment.latest_event.location == "Uppsala"
    assert shipment.expected_delivery is None


def test_nobody_home_is_a_delivery_attempt_with_a_new_day(postnord_api):
    shipment = track(postnord_api.url, "373500410012348135")

    assert shipment.status is Status.DELIVERY_ATTEMPTED
    assert shipment.latest_event.status is Status.DELIVERY_ATTEMPTED
    assert shipment.expected_delivery == dt.date(2024, 11, 15)


def test_parcel_not_collected_goes_back_to_the_sender(postnord_api):
    shipment = track(postnord_api.url, "373500410012349026")

    assert shipment.status is Status.RETURNED_TO_SENDER
    assert [e.status for e in shipment.events] == [
        Status.IN_TRANSIT, Status.READY_FOR_PICKUP, Status.READY_FOR_PICKUP, Status.RETURNED_TO_SENDER,
    ]
    assert shipment.pickup_point is None and shipment.pickup_deadline is None


def test_parcel_from_abroad_stopped_in_customs_number_typed_loosely(postnord_api):
    shipment = track(postnord_api.url, "lx 405 123 784 cn")

    assert shipment.tracking_number == "LX405123784CN"
    assert postnord_api.seen[0].query["id"] == "LX405123784CN"
    assert shipment.status is Status.HELD_IN_CUSTOMS
    assert shipment.latest_event.status is Status.HELD_IN_CUSTOMS
    assert shipment.latest_event.location == "Arlanda"
    assert shipment.customs_amount is None  # PostNord's tracking carries no duty amount


def test_stopped_without_the_customs_flag_is_not_called_customs():
    body = {"TrackingInformationResponse": {"shipments": [{"shipmentId": "373500410012345677", "status": "STOPPED",
        "items": [{"itemId": "373500410012345677", "events": [
            {"eventTime": "2024-11-12T16:40:55Z", "status": "EN_ROUTE", "eventDescription": "Inlämnad"},
            {"eventTime": "2024-11-13T08:00:00Z", "status": "STOPPED", "eventDescription": "Stoppad"},
        ]}]}]}}
    assert postnord.parse("373500410012345677", body).status is Status.IN_TRANSIT


def test_status_postnord_adds_later_keeps_the_parcel_where_it_was():
    body = {"TrackingInformationResponse": {"shipments": [{"shipmentId": "373500410012345677",
        "status": "SOMETHING_NEW", "items": [{"itemId": "373500410012345677", "events": [
            {"eventTime": "2024-11-14T09:00:00", "status": "SOMETHING_NEW", "eventDescription": "Ny händelse"},
            {"eventTime": "2024-11-13T12:06:37Z", "status": "AVAILABLE_FOR_DELIVERY", "eventDescription": "Kan hämtas"},
        ]}]}]}}
    shipment = postnord.parse("373500410012345677", body)
    assert shipment.status is Status.READY_FOR_PICKUP
    assert shipment.latest_event.time.utcoffset() == dt.timedelta(hours=1)  # no offset given: Swedish time


def test_number_postnord_does_not_know_is_not_found(postnord_api):
    with pytest.raises(NotFound):
        track(postnord_api.url, "373500410019999990")


def test_request_carries_the_number_the_swedish_locale_and_the_api_key(postnord_api):
    track(postnord_api.url, "373500410012345677")

    [request] = postnord_api.seen
    assert request.path == PATH
    assert request.query == {"id": "373500410012345677", "locale": "sv", "apikey": API_KEY}


def test_postnord_down_is_backend_unavailable_after_one_retry(vendor_down):
    api = vendor_down(PATH)
    with pytest.raises(BackendUnavailable):
        track(api.url, "373500410012345677")
    assert len(api.seen) == 2


def test_postnord_too_slow_is_backend_unavailable(vendor_stalled):
    api = vendor_stalled(PATH)
    with pytest.raises(BackendUnavailable):
        track(api.url, "373500410012345677", HttpPolicy(timeout_seconds=0.2, retries=0))


def test_missing_api_key_stops_the_action_server_at_start_up():
    section = {"url": "https://api2.postnord.com/rest/shipment/v5/trackandtrace/findByIdentifier.json", "api_key": ""}
    with pytest.raises(ValueError, match="postnord.api_key"):
        postnord.from_settings(section, POLICY)


def test_deployment_with_tracking_postnord_asks_postnord(postnord_api, monkeypatch, fresh_tracking):
    monkeypatch.setenv("TRACKING_ADAPTER", "postnord")
    monkeypatch.setenv("POSTNORD_TRACKING_URL", postnord_api.url)
    monkeypatch.setenv("POSTNORD_API_KEY", API_KEY)

    source = carrier.tracking()

    assert isinstance(source, postnord.PostNordTracking)
    assert asyncio.run(source.shipment("373500410012347916")).status is Status.DELIVERED
