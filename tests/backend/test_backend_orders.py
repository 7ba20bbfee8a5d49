"""Address changes and complaints: validated like the carrier would, stored, and readable by agents."""

import datetime as dt

import pytest


def test_a_customer_moving_from_oslo_to_gothenburg_gets_a_receipt(api, conforms, address_change):
    order = address_change()
    response = api.post("/v1/address-changes", order)
    assert response.status_code == 201, response.text
    receipt = response.json()
    conforms("AddressChange", receipt)
    assert receipt["receipt_number"].startswith(f"AE-{dt.date.today().year}-") and len(receipt["receipt_number"]) == 14
    assert receipt["new_address"] == {"street": "Avenyn 12", "postcode": "41104", "town": "Göteborg", "country": "SE"}
    assert receipt["old_address"]["town"] == "Oslo" and receipt["name"] == order["name"]

    assert api.get(f"/v1/address-changes/{receipt['receipt_number']}").json() == receipt
    listed = api.get("/v1/address-changes", name=order["name"].upper()).json()["address_changes"]
    assert listed == [receipt]


def test_a_temporary_change_with_an_end_date_is_accepted(api, address_change, today):
    order = address_change(
        kind="temporary",
        start_date=today.isoformat(),
        end_date=(today + dt.timedelta(days=60)).isoformat(),
        new_address={"street": "Bryggen 5", "postcode": "5003", "town": "bergen", "country": "NO"},
    )
    response = api.post("/v1/address-changes", order)
    assert response.status_code == 201, response.text
    assert response.json()["new_address"]["town"] == "Bergen"


@pytest.mark.parametrize(
    "changes, field",
    [
        (
            {"old_address": {"street": "Storgata 1", "postcode": "0155", "town": "Bergen", "country": "NO"}},
            "old_address.town",
        ),
        (
            {"new_address": {"street": "Avenyn 12", "postcode": "411 04", "town": "Malmö", "country": "SE"}},
            "new_address.town",
        ),
        (
            {"new_address": {"street": "Avenyn 12", "postcode": "0155", "town": "Oslo", "country": "SE"}},
            "new_address.postcode",
        ),
        (
            {"new_address": {"street": "Avenyn 12", "postcode": "9999", "town": "Oslo", "country": "NO"}},
            "new_address.postcode",
        ),
        (
            {"new_address": {"street": "Avenyn 12", "postcode": "1000", "town": "København", "country": "DK"}},
            "new_address.country",
        ),
        ({"new_address": {"street": "", "postcode": "0155", "town": "Oslo", "country": "NO"}}, "new_address.street"),
        ({"start_date": "2020-01-01"}, "start_date"),
        ({"kind": "temporary"}, "end_date"),
        ({"kind": "sometimes"}, "kind"),
        ({"mail_forwarding": "yes"}, "mail_forwarding"),
        ({"language": "en"}, "language"),
        ({"name": ""}, "name"),
    ],
)
def test_an_invalid_address_change_names_the_field_to_correct(api, conforms, address_change, changes, field):
    response = api.post("/v1/address-changes", address_change(**changes))
    assert response.status_code == 422
    conforms("InvalidOrderError", response.json())
    assert response.json()["error"] == "invalid_order"
    assert field in response.json()["fields"], response.json()
    assert field in response.json()["message"]


def test_start_dates_are_checked_against_today_and_three_months_ahead(api, address_change, today):
    too_late = api.post("/v1/address-changes", address_change(start_date=(today + dt.timedelta(days=100)).isoformat()))
    assert too_late.json()["fields"] == {"start_date": "must be at most 3 months ahead"}
    backwards = address_change(
        kind="temporary", start_date=(today + dt.timedelta(days=10)).isoformat(), end_date=today.isoformat()
    )
    assert api.post("/v1/address-changes", backwards).json()["fields"] == {"end_date": "must be after start_date"}


def test_a_refused_order_is_not_stored(api, address_change):
    order = address_change(start_date="2020-01-01")
    assert api.post("/v1/address-changes", order).status_code == 422
    assert api.get("/v1/address-changes", name=order["name"]).json()["address_changes"] == []


@pytest.mark.parametrize("kind, days", [("damaged", 14), ("lost", 21), ("missing_contents", 14), ("delayed", 7)])
def test_a_complaint_gets_a_case_number_and_a_handling_time(api, conforms, complaint, kind, days):
    response = api.post("/v1/complaints", complaint(type=kind, tracking_number="cp 710 606 451 no"))
    assert response.status_code == 201, response.text
    case = response.json()
    conforms("Complaint", case)
    assert case["case_number"].startswith(f"RK-{dt.date.today().year}-") and case["handling_days"] == days
    assert case["tracking_number"] == "CP710606451NO" and case["contact"] == "kari.nordmann@example.no"
    assert api.get(f"/v1/complaints/{case['case_number']}").json() == case
    assert case in api.get("/v1/complaints", tracking_number="CP710606451NO").json()["complaints"]


def test_a_phone_number_is_stored_in_international_form(api, complaint):
    response = api.post("/v1/complaints", complaint(contact="070-123 45 67", tracking_number="RR720606456SE"))
    assert response.status_code == 201 and response.json()["contact"] == "+46701234567"


def test_a_complaint_about_an_unknown_parcel_is_not_found(api, complaint):
    response = api.post("/v1/complaints", complaint(tracking_number="LA123456785NO"))
    assert response.status_code == 404 and response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"type": "rude_driver"}, "type"),
        ({"contact": "call me maybe"}, "contact"),
        ({"contact": "kari@"}, "contact"),
        ({"tracking_number": "LA123456784NO"}, "tracking_number"),
        ({"description": "  "}, "description"),
    ],
)
def test_an_invalid_complaint_names_the_field(api, complaint, changes, field):
    response = api.post("/v1/complaints", complaint(**changes))
    assert response.status_code == 422 and response.json()["error"] == "invalid_order"
    assert list(response.json()["fields"]) == [field]


def test_unknown_receipts_and_cases_are_not_found(api):
    assert api.get("/v1/address-changes/AE-2026-999999").status_code == 404
    assert api.get("/v1/complaints/RK-2026-999999").status_code == 404
