"""Who may see and do what at the desk, against the running desk over HTTP (issue 13, items 3, 4, 13 and 14).

The chat's token stays out of URLs; agents see hand-offs and call-backs by their skills
(supervisors all of them); one survey answer per closed hand-off; new chat sessions are
rate-limited per address; log-out ends a bearer session; disabling a user or resetting a
password with `kundesenter agents` ends their sessions at once.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from bot.desk.settings import load as desk_settings
from bot.handoff.store import HandoffStore
from tests.support.desk import PASSWORD, DeskUser, add_user, agents_command
from tests.support.webchat import handed_over, new_conversation

pytestmark = pytest.mark.e2e


def log_in(assistant, username, password=PASSWORD):
    return requests.post(f"{assistant.desk_url}/login", json={"username": username, "password": password}, timeout=60)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# Item 3: the chat's token never stands in a URL


def test_history_takes_the_token_in_the_body_and_refuses_it_in_the_url(assistant):
    session = new_conversation(assistant)
    url = f"{assistant.desk_url}/chat/api/history"

    assert requests.post(url, json=session, timeout=30).status_code == 200
    in_query = requests.get(url, params=session, timeout=30)
    assert in_query.status_code == 400 and "never in the URL" in in_query.json()["error"]
    assert requests.post(url, params={"token": session["token"]}, json=session, timeout=30).status_code == 400


# Item 4: hand-offs and call-backs by skills


@pytest.fixture(scope="module")
def norwegian_and_swedish(assistant, supervisor):
    """Two agents with one language each, and a second Norwegian one."""
    return (
        DeskUser(assistant, add_user(assistant, "Nora", languages="nb")),
        DeskUser(assistant, add_user(assistant, "Svea", languages="sv")),
        DeskUser(assistant, add_user(assistant, "Nils", languages="nb")),
    )


def test_an_agent_sees_what_waits_for_their_language_and_what_they_hold_a_supervisor_everything(
    assistant, supervisor, norwegian_and_swedish
):
    nora, svea, nils = norwegian_and_swedish
    handoff = nora.handoff_of(handed_over(assistant, "nb")["session_id"])
    path = f"/api/handoffs/{handoff['id']}"
    unknown = svea.get("/api/handoffs/999999999")
    assert unknown.status_code == 404

    waiting_elsewhere = svea.get(path)  # waiting, but in a language Svea does not speak
    assert waiting_elsewhere.status_code == 404 and waiting_elsewhere.json() == unknown.json()
    assert svea.post(f"{path}/claim").status_code == 404
    assert handoff["id"] not in [item["id"] for item in svea.waiting()]
    assert nils.get(path).status_code == 200  # waiting for his skills

    assert nora.post(f"{path}/claim").status_code == 200
    assert nora.post(f"{path}/notes", {"text": "intern merknad"}).status_code == 201
    held_by_nora = nils.get(path)  # his language, but Nora holds it now
    assert held_by_nora.status_code == 404 and held_by_nora.json() == unknown.json()
    assert svea.get(path).status_code == 404
    assert nils.post(f"{path}/messages", {"text": "hei"}).status_code == 404
    assert [note["text"] for note in supervisor.conversation(handoff["id"])["notes"]] == ["intern merknad"]
    assert nora.conversation(handoff["id"])["handoff"]["status"] == "assigned"

    assert nora.post(f"{path}/close", {"resolution": "answered"}).status_code == 200
    assert nora.get(path).status_code == 200  # what she handled stays hers to read
    assert nils.get(path).status_code == 404


def test_only_an_agent_with_matching_skills_or_a_supervisor_marks_a_call_back_done(
    assistant, supervisor, norwegian_and_swedish
):
    nora, svea, _ = norwegian_and_swedish
    store = HandoffStore(assistant.desk_database_url)
    topic = store.settings.topics[0]
    swedish, norwegian = (
        store.add_callback(f"callback-{language}", language, topic, "kunde@example.com", "i morgen")
        for language in ("sv", "nb")
    )
    store.engine.dispose()

    assert swedish.id not in [callback["id"] for callback in nora.get("/api/queue").json()["callbacks"]]
    refused = nora.post(f"/api/callbacks/{swedish.id}/done")
    assert refused.status_code == 404 and refused.json() == nora.post("/api/callbacks/999999999/done").json()
    assert svea.post(f"/api/callbacks/{swedish.id}/done").status_code == 200
    assert svea.post(f"/api/callbacks/{norwegian.id}/done").status_code == 404
    assert supervisor.post(f"/api/callbacks/{norwegian.id}/done").status_code == 200


# Item 13: one survey answer per closed hand-off; a rate limit on new chat sessions


def test_one_survey_answer_per_closed_hand_off_and_only_the_first_counts(assistant, supervisor):
    today = dt.datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    url = f"{assistant.desk_url}/chat/api/survey"
    without_handoff = {**new_conversation(assistant), "language": "nb", "satisfaction": 5, "nps": 10}
    refused = requests.post(url, json=without_handoff, timeout=30)
    assert refused.status_code == 409 and "no finished conversation" in refused.json()["error"]

    session = handed_over(assistant, "sv")
    survey = {**session, "language": "sv", "satisfaction": 5, "nps": 10}
    assert requests.post(url, json=survey, timeout=30).status_code == 409  # still waiting: nothing to answer about
    handoff = supervisor.handoff_of(session["session_id"])
    assert supervisor.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    assert supervisor.post(f"/api/handoffs/{handoff['id']}/close", {"resolution": "answered"}).status_code == 200
    before = supervisor.get("/api/kpis", **{"from": today, "to": today}).json()["totals"]["survey_responses"]

    assert requests.post(url, json=survey, timeout=30).status_code == 201
    again = [requests.post(url, json={**survey, "satisfaction": 1, "nps": 0}, timeout=30) for _ in range(3)]
    assert [response.status_code for response in again] == [409] * 3
    assert "answered already" in again[0].json()["error"]
    after = supervisor.get("/api/kpis", **{"from": today, "to": today}).json()["totals"]["survey_responses"]
    assert after == before + 1


def test_a_burst_of_new_chat_sessions_from_one_address_gets_429_after_the_limit(assistant):
    """From 127.0.0.2, an address of its own, so the rest of the suite (from 127.0.0.1) keeps its allowance."""
    rate = desk_settings().new_chat_sessions.rate
    burst = int(rate.burst)
    desk = urlsplit(assistant.desk_url)

    def create_session():
        connection = http.client.HTTPConnection(desk.hostname, desk.port, timeout=30, source_address=("127.0.0.2", 0))
        try:
            connection.request("POST", "/chat/api/sessions", body=b"{}", headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, response.getheader("Retry-After"), json.loads(response.read())
        finally:
            connection.close()

    # The bucket refills while the burst is sent, so a few more than the burst may pass;
    # the elapsed time says how many, and nothing passes once they are spent.
    began = time.monotonic()
    answers = [create_session()]
    while answers[-1][0] == 201 and len(answers) < 2 * burst:
        answers.append(create_session())
    refilled = (time.monotonic() - began) * rate.per_second

    assert [status for status, _, _ in answers[:burst]] == [201] * burst
    assert all(body["token"] for _, _, body in answers[:-1])
    assert len(answers) - 1 <= burst + refilled + 1, "more sessions than the burst and the refill allow"
    status, retry_after, body = answers[-1]
    assert status == 429 and int(retry_after) >= 1 and "token" not in body
    assert requests.post(f"{assistant.desk_url}/chat/api/sessions", timeout=30).status_code == 201  # others go on


# Item 14: log-out, disabling and resetting end sessions


def test_logging_out_with_a_bearer_token_ends_that_session(assistant, supervisor):
    username = add_user(assistant, "Bo")
    token = log_in(assistant, username).json()["token"]
    me = f"{assistant.desk_url}/api/me"
    assert requests.get(me, headers=bearer(token), timeout=30).status_code == 200

    out = requests.post(f"{assistant.desk_url}/logout", headers=bearer(token), allow_redirects=False, timeout=30)
    assert out.status_code == 303
    assert requests.get(me, headers=bearer(token), timeout=30).status_code == 401


def test_a_disabled_user_is_logged_out_at_once_and_cannot_log_in_until_enabled(assistant, supervisor):
    username = add_user(assistant, "Dag")
    dag = DeskUser(assistant, username)
    assert dag.get("/api/me").status_code == 200

    disabled = agents_command(assistant, "disable", username)
    assert disabled.returncode == 0, disabled.stderr
    assert dag.get("/api/me").status_code == 401
    refused = log_in(assistant, username)
    assert refused.status_code == 401 and refused.json()["code"] == "disabled"
    assert username not in [a["username"] for a in supervisor.get("/api/agents").json() if a["active"]]

    assert agents_command(assistant, "enable", username).returncode == 0
    assert log_in(assistant, username).status_code == 200
    unknown = agents_command(assistant, "disable", "nobody-here")
    assert unknown.returncode == 1 and "no user" in unknown.stderr


def test_a_password_reset_ends_the_users_sessions_and_the_new_password_works(assistant, supervisor):
    username = add_user(assistant, "Eva")
    eva = DeskUser(assistant, username)
    new_password = "et helt nytt passord 456"

    reset = agents_command(assistant, "reset-password", username, password=new_password)
    assert reset.returncode == 0, reset.stderr
    assert eva.get("/api/me").status_code == 401
    assert log_in(assistant, username, new_password).status_code == 200
    assert log_in(assistant, username, PASSWORD).status_code == 401
    short = agents_command(assistant, "reset-password", username, password="kort")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert log_in(assistant, username, new_password).status_code == 200  # a refused reset changes nothing
