"""Prices, holding times and size limits: the figures the knowledge base's answers are filled from."""

import pytest


def test_a_price_is_for_the_weight_step_and_zone_of_the_destination(api, conforms):
    response = api.get("/v1/prices", country="NO", kind="parcel", weight_g="2000", destination="de")
    assert response.status_code == 200, response.text
    body = response.json()
    conforms("Price", body)
    assert (body["zone"], body["up_to_g"], body["destination"]) == ("europe", 5000, "DE")
    assert body["price"]["currency"] == "NOK"


@pytest.mark.parametrize("country, destination, zone", [
    ("NO", "NO", "domestic"), ("NO", "SJ", "domestic"), ("NO", "SE", "nordic"), ("SE", "AX", "domestic"),
    ("SE", "FI", "nordic"), ("SE", "US", "world"), ("NO", "JP", "world"),
])
def test_the_zone_follows_the_destination(api, country, destination, zone):
    assert api.get("/v1/prices", country=country, kind="letter", weight_g="20", destination=destination).json()["zone"] == zone


def test_a_heavier_item_never_costs_less(api):
    amounts = [
        float(api.get("/v1/prices", country="SE", kind="parcel", weight_g=str(grams), destination="SE").json()["price"]["amount"])
        for grams in (500, 1000, 1001, 5000, 9000, 20000)
    ]
    assert amounts == sorted(amounts) and amounts[1] < amounts[2]


@pytest.mark.parametrize("params, status, code", [
    ({"country": "DK", "kind": "letter", "weight_g": "20", "destination": "NO"}, 400, "invalid_country"),
    ({"country": "NO", "kind": "pallet", "weight_g": "20", "destination": "NO"}, 400, "invalid_kind"),
    ({"country": "NO", "kind": "letter", "weight_g": "2,5", "destination": "NO"}, 400, "invalid_weight"),
    ({"country": "NO", "kind": "letter", "weight_g": "0", "destination": "NO"}, 400, "invalid_weight"),
    ({"country": "NO", "kind": "letter", "weight_g": "20", "destination": "Tyskland"}, 400, "invalid_destination"),
    ({"country": "NO", "kind": "parcel", "weight_g": "90000", "destination": "NO"}, 422, "too_heavy"),
])
def test_bad_questions_get_a_clear_error(api, params, status, code):
    response = api.get("/v1/prices", **params)
    assert response.status_code == status and response.json()["error"] == code


def test_holding_times_and_size_limits_per_country(api, conforms):
    for country in ("NO", "SE"):
        held = api.get("/v1/holding-times", country=country).json()
        conforms("HoldingTimes", held)
        assert held["pickup_point_days"] > held["parcel_locker_days"] > 0
        limits = api.get("/v1/size-limits", country=country).json()
        conforms("SizeLimits", limits)
        assert {limit["product"] for limit in limits["limits"]} == {"letter", "mailbox_parcel", "parcel_locker", "parcel"}
    assert api.get("/v1/size-limits", country="FI").json()["error"] == "invalid_country"
