"""A retried order is stored once: the bot may send the same order again when an answer is lost."""

import uuid
from concurrent.futures import ThreadPoolExecutor


def stored_address_changes(api, name):
    return api.get("/v1/address-changes", name=name).json()["address_changes"]


def test_the_same_key_twice_creates_one_order_and_answers_the_same(api, address_change):
    order, key = address_change(), uuid.uuid4().hex
    first = api.post("/v1/address-changes", order, key=key)
    again = api.post("/v1/address-changes", order, key=key)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json()
    assert len(stored_address_changes(api, order["name"])) == 1


def test_the_same_key_with_another_order_is_refused(api, address_change):
    key = uuid.uuid4().hex
    assert api.post("/v1/address-changes", address_change(), key=key).status_code == 201
    other = address_change()
    response = api.post("/v1/address-changes", other, key=key)
    assert response.status_code == 422 and response.json()["error"] == "idempotency_key_reused"
    assert stored_address_changes(api, other["name"]) == []


def test_a_key_is_bound_to_its_endpoint(api, address_change, complaint):
    key = uuid.uuid4().hex
    assert api.post("/v1/complaints", complaint(), key=key).status_code == 201
    assert api.post("/v1/address-changes", address_change(), key=key).json()["error"] == "idempotency_key_reused"


def test_twenty_identical_requests_at_once_create_exactly_one_order(api, address_change):
    order, key = address_change(), uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: api.post("/v1/address-changes", order, key=key), range(20)))
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["receipt_number"] for response in responses}) == 1
    assert len(stored_address_changes(api, order["name"])) == 1


def test_a_booking_retried_after_a_newer_booking_does_not_undo_it(api):
    """The replayed answer is the stored one; the retry changes nothing."""
    number = "RR720303424SE"
    option_ids = [option["id"] for option in api.get(f"/v1/shipments/{number}/delivery-options").json()["options"]]
    first_key = uuid.uuid4().hex
    first = api.post(f"/v1/shipments/{number}/delivery-bookings", {"option_id": option_ids[0]}, key=first_key)
    second = api.post(f"/v1/shipments/{number}/delivery-bookings", {"option_id": option_ids[1]})
    retried = api.post(f"/v1/shipments/{number}/delivery-bookings", {"option_id": option_ids[0]}, key=first_key)
    assert retried.json()["booking_id"] == first.json()["booking_id"]
    active = [
        b for b in api.get(f"/v1/shipments/{number}/delivery-bookings").json()["bookings"] if b["status"] == "active"
    ]
    assert [b["booking_id"] for b in active] == [second.json()["booking_id"]]


def test_an_order_without_a_key_is_refused(api, address_change, complaint):
    for path, body in (("/v1/address-changes", address_change()), ("/v1/complaints", complaint())):
        response = api.post(path, body, key=None)
        assert response.status_code == 400 and response.json()["error"] == "idempotency_key_required"
