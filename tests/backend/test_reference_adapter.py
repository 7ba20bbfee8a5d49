"""The bot's adapter against the real reference back-end: JSON becomes model types, failures become CarrierErrors."""

import asyncio
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from actions.carrier.errors import BackendUnavailable, NotFound, Rejected
from actions.carrier.http import HttpPolicy
from actions.carrier.model import (
    Address,
    AddressChangeOrder,
    ComplaintOrder,
    DeliveryOption,
    OpeningHours,
    PickupPoint,
    Status,
)
from actions.carrier.reference import ReferenceBackend, from_settings

QUICK = HttpPolicy(timeout_seconds=2.0, retries=1, backoff_seconds=0.05)


@pytest.fixture
def reference(backend_url) -> ReferenceBackend:
    return from_settings({"url": backend_url}, QUICK)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_parcel_at_a_pickup_point_becomes_a_shipment_with_its_point_and_hours(reference, today):
    shipment = run(reference.shipment("cp710505444no"))
    assert shipment.tracking_number == "CP710505444NO" and shipment.carrier == "reference"
    assert shipment.status is Status.READY_FOR_PICKUP and shipment.service == "servicepakke"
    assert shipment.latest_event.status is Status.READY_FOR_PICKUP
    assert all(event.time.tzinfo is not None for event in shipment.events)
    assert shipment.pickup_deadline == today + dt.timedelta(days=12)
    point = shipment.pickup_point
    assert isinstance(point, PickupPoint) and point.name == "Coop Extra Grünerløkka"
    assert point.opening_hours.weekly["mon"] == ((dt.time(7), dt.time(23)),)
    christmas_day = dt.date(today.year, 12, 25)
    assert point.opening_hours.on(christmas_day) == ()
    assert point.opening_hours.special_days[christmas_day].name["sv"] == "Juldagen"


def test_customs_amount_and_expected_delivery_are_typed(reference, today):
    customs = run(reference.shipment("RR720909488SE"))
    assert customs.status is Status.HELD_IN_CUSTOMS
    assert customs.customs_amount.amount == Decimal("312.00") and customs.customs_amount.currency == "SEK"
    on_the_way = run(reference.shipment("370701234500000017"))
    assert on_the_way.status is Status.IN_TRANSIT and on_the_way.expected_delivery > today


def test_pickup_point_and_customer_service_hours(reference, today):
    locker = run(reference.pickup_point("SE-790511"))
    assert locker.town == "Malmö" and locker.opening_hours.special_days == {}
    service = run(reference.customer_service("NO"))
    hours = service.opening_hours
    assert isinstance(hours, OpeningHours) and service.phone
    assert hours.on(dt.date(today.year + 1, 5, 17)) == ()
    assert hours.on(dt.date(today.year + 1, 12, 24)) == ((dt.time(9), dt.time(12)),)


def test_an_unknown_parcel_is_not_found_and_a_mistyped_one_rejected(reference):
    with pytest.raises(NotFound):
        run(reference.shipment("LA123456785NO"))
    with pytest.raises(Rejected) as mistyped:
        run(reference.shipment("LA123456784NO"))
    assert mistyped.value.code == "invalid_tracking_number"


def test_delivery_options_and_a_booking_come_back_as_model_types(reference, today):
    options = run(reference.delivery_options("RR720202417SE"))
    assert options and all(isinstance(option, DeliveryOption) and option.date > today for option in options)
    evening = next(option for option in options if option.kind == "home_evening")
    assert evening.window == (dt.time(17), dt.time(22))
    receipt = run(reference.book_delivery("RR720202417SE", evening.id, uuid.uuid4().hex))
    assert receipt.number.startswith("BK-") and receipt.details["option"] == evening
    with pytest.raises(Rejected) as not_bookable:
        run(reference.delivery_options("RR720606456SE"))
    assert not_bookable.value.code == "not_bookable"


def moving(town: str, today: dt.date) -> AddressChangeOrder:
    return AddressChangeOrder(
        name=f"Sven Svensson {uuid.uuid4().hex[:8]}",
        old_address=Address("Avenyn 12", "41104", "Göteborg", "SE"),
        new_address=Address("Storgata 1", "0155", town, "NO"),
        start_date=today + dt.timedelta(days=3),
        kind="permanent",
        mail_forwarding=False,
        language="sv",
    )


def test_an_address_change_is_created_once_per_idempotency_key(reference, api, today):
    order, key = moving("Oslo", today), uuid.uuid4().hex
    first = run(reference.create_address_change(order, key))
    again = run(reference.create_address_change(order, key))
    assert first.number.startswith("AE-") and again.number == first.number
    assert len(api.get("/v1/address-changes", name=order.name).json()["address_changes"]) == 1


def test_a_wrong_town_is_rejected_with_the_field_to_correct(reference, today):
    with pytest.raises(Rejected) as refused:
        run(reference.create_address_change(moving("Bergen", today), uuid.uuid4().hex))
    assert refused.value.code == "invalid_order"
    assert refused.value.fields == {"new_address.town": "does not match postcode 0155 (Oslo)"}


def test_a_complaint_gets_its_handling_time(reference):
    order = ComplaintOrder("CP710606451NO", "lost", "Pakken kom aldri.", "+4798765432", "nb")
    receipt = run(reference.create_complaint(order, uuid.uuid4().hex))
    assert receipt.number.startswith("RK-") and receipt.handling_days == 21
    with pytest.raises(NotFound):
        run(reference.create_complaint(ComplaintOrder("LA123456785NO", "lost", "?", "+4798765432"), uuid.uuid4().hex))


def test_a_back_end_that_is_not_running_is_unavailable(closed_port):
    closed = from_settings({"url": f"http://127.0.0.1:{closed_port}"}, QUICK)
    with pytest.raises(BackendUnavailable):
        run(closed.shipment("CP710101405NO"))


def test_service_figures_become_typed_prices_holding_times_and_limits(reference):
    price = run(reference.price("SE", "parcel", 2500, "de"))
    assert (price.zone, price.up_to_g, price.destination) == ("europe", 5000, "DE")
    assert price.price.currency == "SEK" and price.price.amount > Decimal(0)
    held = run(reference.holding_times("NO"))
    assert held.pickup_point_days > held.parcel_locker_days
    limits = {limit.product: limit for limit in run(reference.size_limits("NO"))}
    assert limits["parcel_locker"].max_weight_kg < limits["parcel"].max_weight_kg


def test_a_price_the_back_end_has_not_is_a_rejection_with_its_reason(reference):
    with pytest.raises(Rejected) as refused:
        run(reference.price("NO", "parcel", 90_000, "NO"))
    assert refused.value.code == "too_heavy"
