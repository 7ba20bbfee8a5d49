"""Hostile input on the desk's JSON API (bot/desk/): a 4xx with `{"error": ...}`, never a 500 or a traceback."""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict

import pytest
import requests

from bot import secrets
from tests.fuzz.hostile import deep
from tests.support.desk import DeskUser, add_user

pytestmark = pytest.mark.e2e

# Bodies that are not a JSON object of text: every JSON endpoint must refuse them with 400.
NOT_AN_OBJECT: Dict[str, bytes] = {
    "empty": b"",
    "not JSON": b"hei",
    "invalid UTF-8": b'{"text": "\xff"}',
    "array": b"[1]",
    "null": b"null",
    "deeply nested": b"[" * 30000 + b"]" * 30000,
    "lone surrogate": b'{"text": "\\ud800", "username": "\\ud800", "sender_id": "\\ud800"}',
}
# Values of the wrong type or content for any field.
WRONG_VALUES = [None, 7, 1.5, True, [], ["x"], {}, {"a": 1}, "", "   ", "a\x00b", deep(20), "x" * 5000]


def assert_clear(response: requests.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] and "Traceback" not in response.text


def raw(url: str, body: bytes, headers: Dict[str, str]) -> requests.Response:
    return requests.post(url, data=body, headers={**headers, "Content-Type": "application/json"}, timeout=60)


@pytest.fixture(scope="module")
def service(assistant) -> Dict[str, str]:
    return {"Authorization": f"Bearer {assistant.env[secrets.variable(secrets.DESK_SERVICE_TOKEN)]}"}


@pytest.fixture(scope="module")
def holder(assistant, service) -> Any:
    """An agent holding a fresh hand-off: (agent, hand-off id). The desk's first user must be a supervisor."""
    add_user(assistant, "Sjef", role="supervisor")
    agent = DeskUser(assistant, add_user(assistant, "Fuzz"))
    handoff = {"sender_id": f"fuzz-{uuid.uuid4().hex}", "channel": "rest", "language": "nb", "topic": "tracking",
               "reason": "customer_asked", "summary": {}}  # fmt: skip
    queued = requests.post(f"{assistant.desk_url}/internal/handoffs", json=handoff, headers=service, timeout=60)
    handoff_id = queued.json()["handoff_id"]
    assert agent.post(f"/api/handoffs/{handoff_id}/claim").status_code == 200
    return agent, handoff_id


INTERNAL = ["/internal/handoffs", "/internal/callbacks", "/internal/handoffs/callback-instead"]


@pytest.mark.parametrize("path", INTERNAL)
def test_the_bots_api_refuses_without_its_token_and_bad_bodies_with_it(assistant, service, path):
    url = assistant.desk_url + path
    assert_clear(requests.post(url, json={"sender_id": "x"}, timeout=60), 401)
    assert_clear(requests.post(url, json={}, headers={"Authorization": "Bearer guess"}, timeout=60), 401)
    for body in NOT_AN_OBJECT.values():
        assert_clear(raw(url, body, service), 400)
    # language "xx" keeps every variation invalid: nothing fuzzed may wait in a real queue for the other tests
    good = {"sender_id": "", "channel": "webchat", "language": "xx", "topic": "tracking", "reason": "customer_asked",
            "contact": "+4712345678", "preferred_time": "i morgen"}  # fmt: skip
    for field in good:
        for value in WRONG_VALUES:
            body = {**good, "sender_id": f"fuzz-{uuid.uuid4().hex}", field: value}
            response = requests.post(url, json=body, headers=service, timeout=60)
            assert response.status_code < 500 and "Traceback" not in response.text, (field, value, response.text)
            if response.status_code >= 400:
                assert_clear(response, response.status_code)


@pytest.mark.parametrize("action, field", [("messages", "text"), ("notes", "text"), ("transfer", "agent"),
                                           ("transfer", "topic"), ("transfer", "language")])  # fmt: skip
def test_an_agents_writes_refuse_wrong_values_clearly(assistant, holder, action, field):
    agent, handoff_id = holder
    url = f"{assistant.desk_url}/api/handoffs/{handoff_id}/{action}"
    for body in NOT_AN_OBJECT.values():
        assert_clear(raw(url, body, dict(agent.http.headers)), 400)
    for value in WRONG_VALUES:
        response = agent.post(f"/api/handoffs/{handoff_id}/{action}", {field: value})
        assert response.status_code < 500 and "Traceback" not in response.text, (value, response.text[:300])
        if response.status_code == 200:  # a transfer that happened: take the conversation back for the next value
            assert agent.post(f"/api/handoffs/{handoff_id}/claim").status_code == 200
        else:
            assert_clear(response, 400, 404, 409, 413)


def test_too_long_agent_text_is_413_not_a_crash(holder):
    agent, handoff_id = holder
    assert_clear(agent.post(f"/api/handoffs/{handoff_id}/notes", {"text": "x" * 4001}), 413)


@pytest.mark.parametrize("handoff_id", ["abc", "-1", "0", "99999999999999999999999", "1e9", "%00"])
def test_an_impossible_hand_off_id_is_not_found(holder, handoff_id):
    agent, _ = holder
    assert_clear(agent.get(f"/api/handoffs/{handoff_id}"), 404)
    assert_clear(agent.post(f"/api/handoffs/{handoff_id}/claim"), 404)


def test_log_in_with_a_bad_body_is_refused_without_counting_as_a_failed_attempt(assistant, supervisor):
    """Wrong types are a broken client, not a guess: they must not lock 127.0.0.1 out of the desk."""
    url = f"{assistant.desk_url}/login"
    for body in NOT_AN_OBJECT.values():
        assert_clear(raw(url, body, {}), 400)
    for value in (value for value in WRONG_VALUES if not isinstance(value, str)):
        assert_clear(requests.post(url, json={"username": value, "password": value}, timeout=60), 400)
        assert_clear(requests.post(url, json={"username": "fuzz-nobody", "password": value}, timeout=60), 400)
    assert DeskUser(assistant, add_user(assistant, "Etter")).get("/api/me").status_code == 200  # 127.0.0.1 not locked


def test_the_customers_api_refuses_bad_bodies_and_foreign_conversations(assistant):
    session = requests.post(f"{assistant.desk_url}/chat/api/sessions", timeout=30).json()
    for path in ("/chat/api/survey", "/chat/api/end", "/chat/api/history"):
        url = assistant.desk_url + path
        for body in NOT_AN_OBJECT.values():
            assert_clear(raw(url, body, {}), 400)
        for value in WRONG_VALUES:
            assert_clear(requests.post(url, json={"session_id": value, "token": value}, timeout=30), 403)
    for value in WRONG_VALUES:
        survey = {**session, "language": value, "satisfaction": value, "nps": value}
        assert_clear(requests.post(f"{assistant.desk_url}/chat/api/survey", json=survey, timeout=30), 400)
    for body in ({}, {"session_id": "x"}, {"session_id": "\x00", "token": "\xff"}, {**session, "token": "0" * 64}):
        assert_clear(requests.post(f"{assistant.desk_url}/chat/api/history", json=body, timeout=30), 403)


@pytest.mark.parametrize(
    "query",
    [{"from": "x"}, {"to": "0001-01-01"}, {"from": "0001-01-01", "to": "0001-01-02"}, {"to": "9999-12-31"},
     {"from": "2020-01-01", "to": "2019-01-01"}, {"from": "2020-01-01", "to": "2024-01-01"}, {"to": "\x00"}],
    ids=json.dumps,
)  # fmt: skip
def test_the_supervisors_figures_refuse_impossible_periods(supervisor, query):
    assert_clear(supervisor.get("/api/kpis", **query), 400)
    assert_clear(supervisor.get("/api/kpis.csv", **query), 400)
