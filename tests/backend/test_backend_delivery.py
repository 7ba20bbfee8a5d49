"""Changing how a parcel is delivered: the options it still has, booking one, and changing one's mind."""

import datetime as dt

import pytest


def options(api, number):
    response = api.get(f"/v1/shipments/{number}/delivery-options")
    assert response.status_code == 200, response.text
    return response.json()["options"]


@pytest.mark.parametrize("number", ["CP710202412NO", "RR720202417SE", "CP710101405NO", "CP710707469NO"])
def test_a_parcel_on_its_way_offers_three_or_four_options_on_working_days(api, conforms, today, number):
    body = api.get(f"/v1/shipments/{number}/delivery-options").json()
    conforms("DeliveryOptions", body)
    offered = body["options"]
    assert 3 <= len(offered) <= 4
    for option in offered:
        day = dt.date.fromisoformat(option["date"])
        assert day > today and day.weekday() < 5
        assert (option["pickup_point_name"] is not None) == (option["kind"] in ("pickup_point", "parcel_locker"))
    assert options(api, number) == offered  # the same ids all day


def test_a_parcel_out_for_delivery_can_only_go_to_a_pickup_point(api):
    for number in ("CP710404437NO", "RR720404431SE"):
        kinds = {option["kind"] for option in options(api, number)}
        assert kinds and kinds <= {"pickup_point", "parcel_locker"}


@pytest.mark.parametrize("number", ["CP710606451NO", "RR720808475SE", "CP710909483NO"])
def test_delivered_returned_or_customs_parcels_cannot_be_rebooked(api, number):
    response = api.get(f"/v1/shipments/{number}/delivery-options")
    assert response.status_code == 409 and response.json()["error"] == "not_bookable"
    booking = api.post(f"/v1/shipments/{number}/delivery-bookings", {"option_id": "home_evening-20300101"})
    assert booking.status_code == 409 and booking.json()["error"] == "not_bookable"


def test_a_customer_books_an_evening_delivery_and_then_changes_to_a_pickup_point(api, conforms):
    number = "CP710303420NO"
    by_kind = {option["kind"]: option for option in options(api, number)}
    first = api.post(f"/v1/shipments/{number}/delivery-bookings", {"option_id": by_kind["home_evening"]["id"]})
    assert first.status_code == 201, first.text
    conforms("Booking", first.json())
    assert first.json()["option"] == by_kind["home_evening"]
    assert first.json()["booking_id"].startswith(f"BK-{dt.date.today().year}-")

    second = api.post(f"/v1/shipments/{number}/delivery-bookings", {"option_id": by_kind["pickup_point"]["id"]})
    assert second.status_code == 201

    stored = api.get(f"/v1/shipments/{number}/delivery-bookings").json()
    conforms("BookingList", stored)
    statuses = {booking["booking_id"]: booking["status"] for booking in stored["bookings"]}
    assert statuses[second.json()["booking_id"]] == "active"
    assert statuses[first.json()["booking_id"]] == "replaced"
    assert list(statuses.values()).count("active") == 1


def test_an_option_the_parcel_does_not_have_is_refused(api):
    response = api.post("/v1/shipments/RR720303424SE/delivery-bookings", {"option_id": "home_evening-19990101"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_option"


def test_booking_for_an_unknown_parcel_is_not_found(api):
    response = api.post("/v1/shipments/LA123456785NO/delivery-bookings", {"option_id": "x"})
    assert response.status_code == 404
