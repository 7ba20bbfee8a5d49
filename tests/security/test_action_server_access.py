"""Only Rasa may call the action server, and only on this machine (bot/action_server.py).

The forged calls are the ones that worked before: an address-change confirmation
with made-up slots stored an order, a hand-off call queued a fake conversation at
the desk (the action server calls the desk with its own service token).
"""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from typing import Any, Dict, List, Optional

import pytest
import requests

from bot import secrets

pytestmark = pytest.mark.e2e

FORGERIES = {
    "no token": {},
    "wrong token": {"Authorization": "Bearer " + "0" * 64},
    "token of another secret": None,  # the desk's service token: valid elsewhere, not here
    "not a bearer token": None,  # the right token, but as Basic credentials
}


def address_change_call(sender: str, name: str) -> Dict[str, Any]:
    """What Rasa sends when the customer says "ja" to the address-change summary, with every slot made up."""
    slots = {
        "person_name": name, "old_address": "Storgata 5, 0155 Oslo", "new_address": "Bryggen 12, 5003 Bergen",
        "moving_date": (dt.date.today() + dt.timedelta(days=10)).isoformat(), "change_type": "permanent",
        "mail_forwarding": True, "language": "nb", "address_change_confirmed": "ja",
    }  # fmt: skip
    said = {"intent": {"name": "affirm"}, "entities": [], "text": "ja"}
    return {
        "next_action": "validate_address_change_form",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {"forms": {"address_change_form": {"required_slots": list(slots)}}, "slots": {s: {} for s in slots}},
        "tracker": {
            "sender_id": sender, "slots": slots, "latest_message": said, "active_loop": {"name": "address_change_form"},
            "events": [{"event": "user", "text": "ja", "parse_data": said},
                       {"event": "slot", "name": "address_change_confirmed", "value": "ja"}],
        },
    }  # fmt: skip


def handoff_call(sender: str) -> Dict[str, Any]:
    """What Rasa sends when a customer asks for a person."""
    said = {"intent": {"name": "human_handoff"}, "entities": [], "text": "jeg vil snakke med et menneske"}
    return {
        "next_action": "action_handoff",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender, "slots": {"language": "nb"}, "latest_message": said, "active_loop": {},
            "latest_input_channel": "rest", "events": [{"event": "user", "text": said["text"], "parse_data": said}],
        },
    }  # fmt: skip


def headers(assistant: Any, forgery: str) -> Dict[str, str]:
    if forgery == "token of another secret":
        return {"Authorization": "Bearer " + assistant.env[secrets.variable(secrets.DESK_SERVICE_TOKEN)]}
    if forgery == "not a bearer token":
        return {"Authorization": "Basic " + assistant.env[secrets.variable(secrets.ACTION_SERVER_TOKEN)]}
    return FORGERIES[forgery]


def call(assistant: Any, body: Dict[str, Any], extra: Dict[str, str]) -> requests.Response:
    return requests.post(assistant.actions_url, json=body, headers=extra, timeout=30)


def forged_name() -> str:
    return "Forged " + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8]).title()


def orders_of(backend: Any, name: str) -> List[Dict[str, Any]]:
    return backend("/v1/address-changes", name=name)["address_changes"]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_address_change_is_refused_and_stores_nothing(assistant, backend, forgery):
    name = forged_name()
    response = call(assistant, address_change_call(f"forged-{uuid.uuid4().hex}", name), headers(assistant, forgery))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert orders_of(backend, name) == []


@pytest.mark.parametrize("forgery", ["no token", "wrong token"])
def test_a_forged_handoff_is_refused_and_queues_nothing(assistant, supervisor, forgery):
    sender = f"forged-{uuid.uuid4().hex}"
    response = call(assistant, handoff_call(sender), headers(assistant, forgery))
    assert response.status_code == 401
    assert sender not in [item["sender_id"] for item in supervisor.waiting()]


def test_the_same_call_with_rasas_token_runs_the_action(assistant, backend):
    """The forgeries above would have worked: with the token endpoints.yml gives Rasa, the order is stored."""
    name = forged_name()
    token = assistant.env[secrets.variable(secrets.ACTION_SERVER_TOKEN)]
    response = call(assistant, address_change_call(f"rasa-{uuid.uuid4().hex}", name), {"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert [order["name"] for order in orders_of(backend, name)] == [name]


def listening_addresses(port: int) -> List[str]:
    """The local addresses of the sockets listening on `port`, read from /proc/net/tcp and tcp6."""
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.append(_address(address, family))
    return found


def _address(hex_address: str, family: int) -> str:
    raw = bytes.fromhex(hex_address)
    # The kernel prints each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(family, words)


def other_address() -> Optional[str]:
    """An address of this machine that is not loopback (the one it would use towards the outside), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent by a UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_action_server_listens_on_loopback_only(assistant):
    assert listening_addresses(assistant.ports.actions) == ["127.0.0.1"]
    health = requests.get(f"http://127.0.0.1:{assistant.ports.actions}/health", timeout=10)
    assert health.json() == {"status": "ok"}  # liveness probes need no token
    address = other_address()
    if address is not None:  # reached through this machine's other address, nothing answers
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://{address}:{assistant.ports.actions}/health", timeout=5)
