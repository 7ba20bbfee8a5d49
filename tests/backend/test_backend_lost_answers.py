"""Orders looked up and cancelled by their Idempotency-Key, and a conversation's personal data erased.

The bot knows an order whose answer was lost only by its key; `privacy forget`
knows a customer only by the conversation id the bot sent with the order.
"""

import asyncio
import uuid

import requests

from actions.carrier.http import HttpPolicy
from actions.carrier.reference import from_settings
from bot import secrets


def order_by_key(api, key):
    return requests.get(f"{api.url}/v1/orders/{key}", timeout=10)


def cancel(api, key):
    return requests.delete(f"{api.url}/v1/orders/{key}", timeout=10)


def test_a_stored_order_is_found_and_cancelled_by_its_key(api, address_change):
    order, key = address_change(), uuid.uuid4().hex
    created = api.post("/v1/address-changes", order, key=key).json()
    found = order_by_key(api, key)
    assert found.status_code == 200 and found.json() == {"state": "registered", "order": created}
    cancelled = cancel(api, key)
    assert cancelled.json() == {"state": "cancelled", "number": created["receipt_number"]}
    assert cancel(api, key).json() == cancelled.json()  # cancelling again changes nothing
    assert api.get(f"/v1/address-changes/{created['receipt_number']}").json()["status"] == "cancelled"
    assert order_by_key(api, key).json() == cancelled.json()
    replayed = api.post("/v1/address-changes", order, key=key)  # a retry still on its way stores nothing new
    assert replayed.status_code == 409 and replayed.json()["error"] == "order_cancelled"
    assert len(api.get("/v1/address-changes", name=order["name"]).json()["address_changes"]) == 1


def test_a_booking_cancelled_by_its_key_is_no_longer_active(api):
    options = api.get("/v1/shipments/CP710202412NO/delivery-options").json()["options"]
    key = uuid.uuid4().hex
    booking = api.post("/v1/shipments/CP710202412NO/delivery-bookings", {"option_id": options[0]["id"]}, key=key)
    assert cancel(api, key).json() == {"state": "cancelled", "number": booking.json()["booking_id"]}
    bookings = api.get("/v1/shipments/CP710202412NO/delivery-bookings").json()["bookings"]
    assert [b["status"] for b in bookings if b["booking_id"] == booking.json()["booking_id"]] == ["cancelled"]


def test_cancelling_before_the_order_arrives_keeps_it_from_being_stored(api, address_change):
    order, key = address_change(), uuid.uuid4().hex
    assert order_by_key(api, key).status_code == 404
    assert cancel(api, key).json() == {"state": "not_registered"}
    late = api.post("/v1/address-changes", order, key=key)
    assert late.status_code == 409 and late.json()["error"] == "order_cancelled"
    assert api.get("/v1/address-changes", name=order["name"]).json()["address_changes"] == []


def test_the_adapter_finds_the_receipt_of_an_order_whose_answer_was_lost(api, backend_url, complaint):
    key = uuid.uuid4().hex
    created = api.post("/v1/complaints", complaint(), key=key).json()
    reference = from_settings({"url": backend_url}, HttpPolicy())
    state = asyncio.run(reference.order_state(key))
    assert state.state == "registered" and state.receipt.number == created["case_number"]
    assert state.receipt.handling_days == created["handling_days"]
    assert asyncio.run(reference.order_state(uuid.uuid4().hex)).state == "not_registered"
    assert asyncio.run(reference.cancel_order(key)).number == created["case_number"]


def test_erasing_a_conversation_needs_the_admin_token_and_removes_its_personal_data(api, address_change, complaint):
    conversation, key, complaint_key = f"web-{uuid.uuid4().hex}", uuid.uuid4().hex, uuid.uuid4().hex
    order = address_change()
    moved = api.post("/v1/address-changes", order, key=key, **{"X-Conversation-Id": conversation}).json()
    api.post("/v1/complaints", complaint(contact="tone@example.no"), key=complaint_key,
             **{"X-Conversation-Id": conversation})
    other = api.post("/v1/address-changes", address_change(), key=uuid.uuid4().hex).json()
    url = f"{api.url}/v1/conversations/{conversation}"
    token = secrets.secret(secrets.BACKEND_ADMIN_TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):  # the last lacks "Bearer"
        refused = requests.delete(url, headers=headers, timeout=10)
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    assert order_by_key(api, key).status_code == 200  # a refused call erased nothing

    erased = requests.delete(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert erased.status_code == 200
    assert erased.json()["erased"] == {
        "address_changes": 1, "complaints": 1, "delivery_bookings": 0, "idempotency_records": 2
    }
    kept = api.get(f"/v1/address-changes/{moved['receipt_number']}").json()
    assert kept["erased"] is True and kept["name"] is None and kept["old_address"] is None
    assert kept["new_address"] is None and kept["start_date"] == moved["start_date"]  # bookkeeping keeps the order
    assert api.get("/v1/address-changes", name=order["name"]).json()["address_changes"] == []
    assert order_by_key(api, key).status_code == 404 and order_by_key(api, complaint_key).status_code == 404
    assert all(c["contact"] != "tone@example.no" for c in api.get("/v1/complaints").json()["complaints"])
    assert api.get(f"/v1/address-changes/{other['receipt_number']}").json()["name"]  # other customers keep theirs
