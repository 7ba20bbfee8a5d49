"""Customers' tracking numbers against the reference back-end: every demo parcel tells a complete story."""

import datetime as dt

import pytest

DEMO = {
    "CP710101405NO": "registered",
    "CP710202412NO": "in_transit",
    "CP710303420NO": "at_terminal",
    "CP710404437NO": "out_for_delivery",
    "CP710505444NO": "ready_for_pickup",
    "CP710606451NO": "delivered",
    "CP710707469NO": "delivery_attempted",
    "CP710808476NO": "returned_to_sender",
    "CP710909483NO": "held_in_customs",
    "RR720101400SE": "registered",
    "RR720202417SE": "in_transit",
    "RR720303424SE": "at_terminal",
    "RR720404431SE": "out_for_delivery",
    "RR720505449SE": "ready_for_pickup",
    "RR720606456SE": "delivered",
    "RR720707463SE": "delivery_attempted",
    "RR720808475SE": "returned_to_sender",
    "RR720909488SE": "held_in_customs",
    "370701234500000017": "in_transit",
    "373509876500000021": "ready_for_pickup",
}


@pytest.mark.parametrize("number, status", DEMO.items())
def test_every_demo_parcel_has_its_status_and_a_history_ending_in_it(api, conforms, number, status):
    response = api.get(f"/v1/shipments/{number}")
    assert response.status_code == 200
    shipment = response.json()
    conforms("Shipment", shipment)
    assert shipment["tracking_number"] == number and shipment["status"] == status
    assert shipment["country"] == ("NO" if number.endswith("NO") or number.startswith("37070") else "SE")
    times = [dt.datetime.fromisoformat(event["time"]) for event in shipment["events"]]
    assert all(t.utcoffset() is not None for t in times) and times == sorted(times)
    assert shipment["events"][-1]["status"] == status
    assert all(event["location"] and event["description"] for event in shipment["events"])


def test_demo_parcels_are_dated_around_today(api, today):
    """The demo never goes stale: histories end in the last few days."""
    for number in DEMO:
        last = dt.datetime.fromisoformat(api.get(f"/v1/shipments/{number}").json()["events"][-1]["time"]).date()
        assert today - dt.timedelta(days=30) <= last <= today


def test_a_parcel_at_a_pickup_point_says_where_and_until_when(api, today):
    norwegian = api.get("/v1/shipments/CP710505444NO").json()
    assert norwegian["pickup_point"]["name"] == "Coop Extra Grünerløkka"
    assert dt.date.fromisoformat(norwegian["pickup_deadline"]) == today + dt.timedelta(days=12)  # 14 days from arrival
    swedish = api.get("/v1/shipments/RR720505449SE").json()
    assert swedish["pickup_point"]["name"] == "ICA Kvantum Liljeholmen"
    assert dt.date.fromisoformat(swedish["pickup_deadline"]) == today + dt.timedelta(days=6)  # 7 days from arrival
    locker = api.get("/v1/shipments/373509876500000021").json()
    assert "Paketskåp" in locker["pickup_point"]["name"]


def test_parcels_held_in_customs_say_what_to_pay(api):
    assert api.get("/v1/shipments/CP710909483NO").json()["customs"] == {"amount": "249.00", "currency": "NOK"}
    assert api.get("/v1/shipments/RR720909488SE").json()["customs"] == {"amount": "312.00", "currency": "SEK"}


def test_a_failed_delivery_says_what_happens_next(api, today):
    norwegian = api.get("/v1/shipments/CP710707469NO").json()
    assert dt.date.fromisoformat(norwegian["expected_delivery"]) > today  # the next attempt
    swedish = api.get("/v1/shipments/RR720707463SE").json()
    assert swedish["pickup_point"]["name"] == "Pressbyrån Göteborg Centralstation" and swedish["pickup_deadline"]


def test_numbers_are_read_as_customers_type_them(api):
    response = api.get("/v1/shipments/cp 710 505 444 no")
    assert response.status_code == 200 and response.json()["tracking_number"] == "CP710505444NO"


@pytest.mark.parametrize("number", ["LA123456785NO", "LA123456785SE", "LA999999995NO"])
def test_a_valid_number_the_carrier_never_had_is_not_found(api, conforms, number):
    response = api.get(f"/v1/shipments/{number}")
    assert response.status_code == 404
    conforms("Error", response.json())
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("number", ["LA123456784NO", "CP710101406NO", "370701234500000018", "hello"])
def test_a_mistyped_number_is_refused_before_any_lookup(api, number):
    response = api.get(f"/v1/shipments/{number}")
    assert response.status_code == 400 and response.json()["error"] == "invalid_tracking_number"
