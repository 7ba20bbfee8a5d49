"""The desk's API as agents and supervisors use it: log-in, who may do what, and the supervisor's figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.desk import PASSWORD, DeskUser, add_user
from tests.support.webchat import handed_over

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_agents(assistant, supervisor):
    return DeskUser(assistant, add_user(assistant, "Ola")), DeskUser(assistant, add_user(assistant, "Lena"))


@pytest.mark.parametrize("path", ["/desk", "/supervisor", "/api/queue", "/api/kpis", "/api/handoffs/1"])
def test_nothing_of_the_desk_without_logging_in(assistant, path):
    response = requests.get(assistant.desk_url + path, allow_redirects=False, timeout=30)
    if path.startswith("/api/"):
        assert response.status_code == 401 and response.json() == {"error": "not logged in"}
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_wrong_password_is_refused_and_repeated_guessing_is_locked_out(assistant, supervisor):
    username = add_user(assistant, "Per")
    attempts = [
        requests.post(f"{assistant.desk_url}/login", json={"username": username, "password": "feil passord!!"}, timeout=60)
        for _ in range(5)
    ]
    assert [a.status_code for a in attempts[:4]] == [401] * 4 and attempts[0].json()["code"] == "wrong"
    assert attempts[4].status_code == 429 and attempts[4].json()["code"] == "locked"  # the 5th wrong guess locks
    right = requests.post(f"{assistant.desk_url}/login", json={"username": username, "password": PASSWORD}, timeout=60)
    assert right.status_code == 429  # even the right password waits out the lock-out
    form = requests.post(
        f"{assistant.desk_url}/login", data={"username": "nobody", "password": "x"}, allow_redirects=False, timeout=60
    )
    assert form.status_code == 303 and form.headers["Location"] == "/login?error=wrong"


def test_the_internal_api_needs_the_bots_token(assistant):
    body = {"sender_id": "x", "channel": "webchat", "language": "nb", "topic": "other", "reason": "customer_asked"}
    response = requests.post(f"{assistant.desk_url}/internal/handoffs", json=body, timeout=30)
    assert response.status_code == 401


def test_only_the_agent_holding_a_conversation_writes_to_it(assistant, two_agents):
    ola, lena = two_agents
    session = handed_over(assistant)
    handoff = ola.handoff_of(session["session_id"])
    assert ola.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    assert lena.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 409  # she may know it was taken
    for action, body in [("messages", {"text": "hei"}), ("notes", {"text": "x"}), ("close", {})]:
        assert lena.post(f"/api/handoffs/{handoff['id']}/{action}", body).status_code == 404  # Ola's, not hers to see
    assert (
        ola.post(f"/api/handoffs/{handoff['id']}/notes", {"text": "Kunden venter på svar fra terminalen"}).status_code
        == 201
    )
    lena_username = lena.get("/api/me").json()["username"]
    moved = ola.post(f"/api/handoffs/{handoff['id']}/transfer", {"agent": lena_username})
    assert moved.status_code == 200 and moved.json()["agent"] == "Lena"
    view = lena.conversation(handoff["id"])
    assert [n["text"] for n in view["notes"]] == ["Kunden venter på svar fra terminalen"]
    assert lena.post(f"/api/handoffs/{handoff['id']}/close", {"resolution": "done"}).status_code == 200


def test_agents_cannot_see_the_supervisors_figures(assistant, two_agents):
    ola, _ = two_agents
    assert ola.get("/api/kpis").status_code == 403


def test_supervisor_figures_count_a_handed_over_conversation_and_its_survey(assistant, supervisor):
    today = dt.datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    before = supervisor.get("/api/kpis", **{"from": today, "to": today}).json()["totals"]

    session = handed_over(assistant, "sv")
    handoff = supervisor.handoff_of(session["session_id"])
    assert supervisor.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    assert supervisor.post(f"/api/handoffs/{handoff['id']}/close", {"resolution": "answered"}).status_code == 200
    survey = {**session, "language": "sv", "satisfaction": 5, "nps": 10}
    assert requests.post(f"{assistant.desk_url}/chat/api/survey", json=survey, timeout=30).status_code == 201
    bad = requests.post(f"{assistant.desk_url}/chat/api/survey", json={**survey, "nps": 11}, timeout=30)
    assert bad.status_code == 400 and "nps" in bad.json()["fields"]

    after = supervisor.get("/api/kpis", **{"from": today, "to": today}).json()
    totals = after["totals"]
    assert totals["conversations"] == before["conversations"] + 1
    assert totals["handoffs"] == before["handoffs"] + 1
    assert totals["survey_responses"] == before["survey_responses"] + 1
    assert after["reasons"]["customer_asked"] >= 1 and totals["average_wait_seconds"] is not None
    rows = list(csv.DictReader(io.StringIO(supervisor.get("/api/kpis.csv", **{"from": today, "to": today}).text)))
    assert [row["date"] for row in rows] == [today, "total"]
    assert int(rows[-1]["handoffs"]) == totals["handoffs"]


def test_a_customer_who_ends_the_chat_while_waiting_leaves_the_queue(assistant, two_agents):
    ola, _ = two_agents
    session = handed_over(assistant)
    assert ola.handoff_of(session["session_id"])["status"] == "waiting"
    ended = requests.post(f"{assistant.desk_url}/chat/api/end", json=session, timeout=30)
    assert ended.json() == {"ended": True, "handoff_withdrawn": True}
    assert all(item["sender_id"] != session["session_id"] for item in ola.waiting())
    forged = requests.post(f"{assistant.desk_url}/chat/api/end", json={**session, "token": "0" * 64}, timeout=30)
    assert forged.status_code == 403
