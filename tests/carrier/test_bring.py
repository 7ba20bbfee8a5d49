"""A Norwegian customer asks where a Posten/Bring parcel is, and the bot asks Bring's Tracking API.

The fixtures follow Bring's own published format: https://developer.bring.com/api/tracking/ and
github.com/bring/developer-site, api/tracking/api.raml (the event status list) and
api/tracking/examples/{waiting_at_pup,loaded_for_delivery,delivered,successful}.json (the shape,
events newest first, dateIso with offset, dateOfReturn as dd.mm.yyyy). An unknown number is answered
with HTTP 200 and `consignmentSet[0].error` = {code: 404, message}, as public Bring clients decode it.
The fake Bring below checks the Mybring headers and answers 401 without them, as Bring does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from aiohttp import web

from actions import carrier
from actions.carrier import bring
from actions.carrier.errors import BackendUnavailable, NotFound
from actions.carrier.http import HttpPolicy
from actions.carrier.model import Shipment, Status

PATH = "/tracking/api/v2/tracking.json"
FIXTURES = Path(__file__).parent / "fixtures" / "bring"
UID = "kundesenter@example.no"
KEY = "5b1c2f7e-8a3d-4e6f-9b0a-1c2d3e4f5a6b"
ANSWERS = {
    "370724760010135488": "in_transit.json",
    "370724760010136126": "ready_for_pickup.json",
    "370724760010137291": "delivered.json",
    "370724760010138366": "attempted_delivery.json",
    "370724760010139431": "returned.json",
    "LP123456785CN": "customs.json",
}
POLICY = HttpPolicy(timeout_seconds=2.0, retries=1, backoff_seconds=0.01)
CET = dt.timezone(dt.timedelta(hours=1))


async def answer_as_bring(request: web.Request) -> web.StreamResponse:
    if request.headers.get("X-Mybring-API-Uid") != UID or request.headers.get("X-Mybring-API-Key") != KEY:
        return web.json_response({"message": "Unauthorized"}, status=401)
    fixture = ANSWERS.get(request.query.get("q", ""), "not_found.json")
    return web.Response(body=(FIXTURES / fixture).read_bytes(), content_type="application/json")


@pytest.fixture
def bring_api(vendor):
    return vendor(PATH, answer_as_bring)


def track(url: str, number: str, policy: HttpPolicy = POLICY) -> Shipment:
    adapter = bring.from_settings({"url": url, "api_uid": UID, "api_key": KEY}, policy)
    return asyncio.run(adapter.shipment(number))


def test_parcel_on_its_way_has_its_journey_oldest_first_and_an_expected_day(bring_api):
    shipment = track(bring_api.url, "370724760010135488")

    assert shipment.status is Status.IN_TRANSIT
    assert (shipment.carrier, shipment.service) == ("bring", "PAKKE TIL HENTESTED")
    assert shipment.expected_delivery == dt.date(2024, 11, 14)
    assert [e.status for e in shipment.events] == [
        Status.REGISTERED, Status.IN_TRANSIT, Status.AT_TERMINAL, Status.IN_TRANSIT,
    ]
    assert shipment.events[0].time == dt.datetime(2024, 11, 11, 10, 14, 52, tzinfo=CET)
    assert shipment.latest_event.location == "OSLO"
    assert shipment.latest_event.description == "Sendingen er sortert og sendt videre."
    assert shipment.pickup_point is None and shipment.pickup_deadline is None


def test_parcel_waiting_at_a_pickup_point_tells_where_and_until_when(bring_api):
    shipment = track(bring_api.url, "370724760010136126")

    assert shipment.status is Status.READY_FOR_PICKUP  # the SMS notice after arrival does not move the parcel
    assert shipment.latest_event.description == "Hentemelding er sendt på SMS."
    point = shipment.pickup_point
    assert (point.id, point.postcode, point.town, point.country) == ("122608", "2340", "LØTEN", "NO")
    assert point.opening_hours is None  # Bring's tracking carries no opening hours
    assert shipment.pickup_deadline == dt.date(2024, 11, 29)


def test_delivered_parcel(bring_api):
    shipment = track(bring_api.url, "370724760010137291")

    assert shipment.status is Status.DELIVERED
    assert [e.status for e in shipment.events][-2:] == [Status.OUT_FOR_DELIVERY, Status.DELIVERED]
    assert shipment.latest_event.time == dt.datetime(2024, 11, 14, 18, 12, 3, tzinfo=CET)
    assert shipment.latest_event.location == "BERGEN"


def test_nobody_home_is_a_delivery_attempt_with_a_new_day(bring_api):
    shipment = track(bring_api.url, "370724760010138366")

    assert shipment.status is Status.DELIVERY_ATTEMPTED
    assert shipment.expected_delivery == dt.date(2024, 11, 15)
    assert "ingen var hjemme" in shipment.latest_event.description


def test_parcel_not_collected_goes_back_to_the_sender(bring_api):
    shipment = track(bring_api.url, "370724760010139431")

    assert shipment.status is Status.RETURNED_TO_SENDER
    assert [e.status for e in shipment.events] == [
        Status.IN_TRANSIT, Status.IN_TRANSIT, Status.READY_FOR_PICKUP, Status.READY_FOR_PICKUP,
        Status.RETURNED_TO_SENDER, Status.RETURNED_TO_SENDER,
    ]
    assert shipment.pickup_point is None and shipment.pickup_deadline is None


def test_parcel_from_abroad_held_in_customs_number_typed_loosely(bring_api):
    shipment = track(bring_api.url, " lp 123 456 785 cn ")

    assert shipment.tracking_number == "LP123456785CN"
    assert bring_api.seen[0].query == {"q": "LP123456785CN"}
    assert shipment.status is Status.HELD_IN_CUSTOMS
    assert shipment.customs_amount is None  # Bring's tracking carries no duty amount
    shenzhen = shipment.events[1]
    assert shenzhen.location == "SHENZHEN"
    assert shenzhen.time == dt.datetime(2024, 11, 4, 10, 45, tzinfo=dt.timezone.utc)


def test_number_bring_does_not_know_is_not_found(bring_api):
    with pytest.raises(NotFound):
        track(bring_api.url, "370724760019999990")


def test_request_carries_the_number_and_the_mybring_credentials(bring_api):
    track(bring_api.url, "370724760010135488")

    [request] = bring_api.seen
    assert request.path == PATH
    assert request.query == {"q": "370724760010135488"}
    assert request.headers["X-Mybring-API-Uid"] == UID
    assert request.headers["X-Mybring-API-Key"] == KEY
    assert request.headers["X-Bring-Client-URL"]


def test_bring_down_is_backend_unavailable_after_one_retry(vendor_down):
    api = vendor_down(PATH)
    with pytest.raises(BackendUnavailable):
        track(api.url, "370724760010135488")
    assert len(api.seen) == 2


def test_bring_too_slow_is_backend_unavailable(vendor_stalled):
    api = vendor_stalled(PATH)
    with pytest.raises(BackendUnavailable):
        track(api.url, "370724760010135488", HttpPolicy(timeout_seconds=0.2, retries=0))


@pytest.mark.parametrize("missing", ["api_uid", "api_key"])
def test_missing_mybring_credentials_stop_the_action_server_at_start_up(missing):
    section = {"url": "https://api.bring.com/tracking/api/v2/tracking.json", "api_uid": UID, "api_key": KEY}
    section[missing] = ""
    with pytest.raises(ValueError, match=f"bring.{missing}"):
        bring.from_settings(section, POLICY)


def test_event_status_bring_adds_later_keeps_the_parcel_where_it_was():
    body = {"consignmentSet": [{"packageSet": [{"packageNumber": "370724760010135488", "eventSet": [
        {"status": "SOMETHING_NEW", "description": "Ny hendelse", "dateIso": "2024-11-13T08:00:00+01:00"},
        {"status": "TERMINAL", "description": "Ankommet terminal", "dateIso": "2024-11-12T19:05:33+01:00"},
    ]}]}]}
    shipment = bring.parse("370724760010135488", body)
    assert [e.status for e in shipment.events] == [Status.AT_TERMINAL, Status.AT_TERMINAL]


def test_deployment_with_tracking_bring_asks_bring(bring_api, monkeypatch, fresh_tracking):
    monkeypatch.setenv("TRACKING_ADAPTER", "bring")
    monkeypatch.setenv("BRING_TRACKING_URL", bring_api.url)
    monkeypatch.setenv("BRING_API_UID", UID)
    monkeypatch.setenv("BRING_API_KEY", KEY)

    source = carrier.tracking()

    assert isinstance(source, bring.BringTracking)
    assert asyncio.run(source.shipment("370724760010137291")).status is Status.DELIVERED
