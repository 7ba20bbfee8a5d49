"""What the real desk asks of browsers, over HTTP: changes come from its own pages, JSON is JSON, and its
pages carry a strict Content-Security-Policy and may not be framed.

The browser tests (tests/e2e/test_web_chat_browser.py) show the pages still work under that policy.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from ipaddress import ip_network

import pytest
import requests

from tests.desk.conftest import PASSWORD, SERVICE_TOKEN

FOREIGN = "https://evil.example"
# What a strict policy blocks: a script element without src, a style element or attribute, an onclick=.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+\s*=", re.IGNORECASE)
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture
def desk(tmp_path, settings, serve_desk):
    """The desk on its own SQLite file, with a supervisor (the first user) and an agent for Norwegian parcels."""
    served = serve_desk(f"sqlite:///{tmp_path / 'desk.db'}", dataclasses.replace(settings, cookie_secure=False))
    served.accounts.create_user("kari", "Kari", "supervisor", PASSWORD)
    served.accounts.create_user("ola", "Ola", "agent", PASSWORD)
    served.queue.add_agent("ola", "Ola", ["nb"], ["tracking"])
    return served


def browser(desk, username: str) -> requests.Session:
    """A browser that logged in with the log-in page's form: it holds the session cookie, no bearer token."""
    session = requests.Session()
    page = session.post(f"{desk.url}/login", data={"username": username, "password": PASSWORD}, allow_redirects=False,
                        headers={"Origin": desk.url}, timeout=60)  # fmt: skip
    assert page.status_code == 303 and "desk_session" in session.cookies
    return session


def queue_handoff(desk) -> int:
    handoff = {"sender_id": f"web-{uuid.uuid4().hex}", "channel": "webchat", "language": "nb", "topic": "tracking",
               "reason": "customer_asked", "summary": {}}  # fmt: skip
    response = requests.post(f"{desk.url}/internal/handoffs", json=handoff, headers=SERVICE, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["handoff_id"]


def waiting(agent: requests.Session, desk) -> list:
    return [item["id"] for item in agent.get(f"{desk.url}/api/queue", timeout=60).json()["waiting"]]


def test_a_cookie_authenticated_change_from_another_site_is_refused_and_changes_nothing(desk):
    handoff_id = queue_handoff(desk)
    agent = browser(desk, "ola")

    for forged in ({"Origin": FOREIGN}, {"Origin": "null"}, {"Referer": f"{FOREIGN}/page"}, {}):
        refused = agent.post(f"{desk.url}/api/handoffs/next", json={}, headers=forged, timeout=60)
        assert refused.status_code == 403 and refused.json()["code"] == "origin", (forged, refused.text)
        assert waiting(agent, desk) == [handoff_id]
    logout = agent.post(f"{desk.url}/logout", headers={"Origin": FOREIGN}, allow_redirects=False, timeout=60)
    assert logout.status_code == 403 and agent.get(f"{desk.url}/api/me", timeout=60).status_code == 200

    # From the desk's own page (Origin, or only a Referer) the same requests work.
    taken = agent.post(f"{desk.url}/api/handoffs/next", json={}, headers={"Origin": desk.url}, timeout=60)
    assert taken.status_code == 200 and taken.json()["handoff"]["id"] == handoff_id
    note = agent.post(f"{desk.url}/api/handoffs/{handoff_id}/notes", json={"text": "ringer tilbake"},
                      headers={"Referer": f"{desk.url}/desk"}, timeout=60)  # fmt: skip
    assert note.status_code in (200, 201), note.text


def test_a_log_in_posted_from_another_site_is_refused(desk):
    """Log-in forgery: another site must not log a victim's browser in as the attacker."""
    forged = requests.post(f"{desk.url}/login", data={"username": "ola", "password": PASSWORD},
                           headers={"Origin": FOREIGN}, allow_redirects=False, timeout=60)  # fmt: skip
    assert forged.status_code == 403 and "desk_session" not in forged.cookies


def test_bearer_tokens_and_the_bots_token_need_no_origin(desk):
    token = requests.post(f"{desk.url}/login", json={"username": "ola", "password": PASSWORD}, timeout=60)
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    handoff_id = queue_handoff(desk)  # the service token, no Origin
    taken = requests.post(f"{desk.url}/api/handoffs/next", json={}, headers=bearer, timeout=60)
    assert taken.status_code == 200 and taken.json()["handoff"]["id"] == handoff_id


def test_json_endpoints_take_only_application_json(desk):
    """text/plain is what a page on another site can post without asking first (no CORS preflight)."""
    handoff_id = queue_handoff(desk)
    agent = browser(desk, "ola")
    own = {"Origin": desk.url}
    assert agent.post(f"{desk.url}/api/handoffs/{handoff_id}/claim", headers=own, timeout=60).status_code == 200
    plain = {**own, "Content-Type": "text/plain"}
    note = agent.post(f"{desk.url}/api/handoffs/{handoff_id}/notes", data='{"text": "sniket inn"}', headers=plain,
                      timeout=60)  # fmt: skip
    assert note.status_code == 415 and note.json()["error"]
    assert agent.get(f"{desk.url}/api/handoffs/{handoff_id}", timeout=60).json()["notes"] == []

    body = '{"sender_id": "x", "channel": "webchat", "language": "nb", "topic": "tracking", "reason": "customer_asked"}'
    internal = requests.post(f"{desk.url}/internal/handoffs", data=body,
                             headers={**SERVICE, "Content-Type": "text/plain"}, timeout=60)  # fmt: skip
    assert internal.status_code == 415
    login = requests.post(f"{desk.url}/login", data='{"username": "ola", "password": "x"}',
                          headers={"Content-Type": "text/plain"}, timeout=60)  # fmt: skip
    assert login.status_code == 415


def test_the_chat_api_still_answers_other_sites(desk):
    """widget.js runs on carriers' sites: its calls carry their Origin and the conversation's token, no cookie."""
    carrier = {"Origin": "https://www.carrier.example"}
    created = requests.post(f"{desk.url}/chat/api/sessions", json={}, headers=carrier, timeout=60)
    assert created.status_code == 201 and created.headers["Access-Control-Allow-Origin"] == "*"
    ended = requests.post(f"{desk.url}/chat/api/end", json=created.json(), headers=carrier, timeout=60)
    assert ended.status_code == 200 and ended.json()["ended"] is True


@pytest.mark.parametrize("path, who", [("/login", None), ("/desk", "ola"), ("/supervisor", "kari"), ("/chat", None)])
def test_pages_carry_a_strict_policy_and_may_not_be_framed(desk, path, who):
    client = browser(desk, who) if who else requests.Session()
    page = client.get(desk.url + path, allow_redirects=False, timeout=60)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = dict(directive.strip().split(" ", 1) for directive in page.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and "unsafe" not in page.headers["Content-Security-Policy"]
    assert policy["connect-src"] == "'self' http://127.0.0.1:9 ws://127.0.0.1:9"  # Rasa's socket.io for the chat
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert not INLINE.search(page.text), INLINE.search(page.text)


def test_behind_a_trusted_tls_proxy_the_public_origin_is_the_desks_own(tmp_path, settings, serve_desk):
    """nginx terminates TLS and passes Host and X-Forwarded-Proto; only from a trusted proxy is the scheme believed."""
    trusted = dataclasses.replace(settings, cookie_secure=False, trusted_proxies=(ip_network("127.0.0.1/32"),))
    public = {"Host": "desk.example.no", "X-Forwarded-Proto": "https", "Origin": "https://desk.example.no"}
    for settings_, expected in ((trusted, 303), (dataclasses.replace(trusted, trusted_proxies=()), 403)):
        served = serve_desk(f"sqlite:///{tmp_path / f'{expected}.db'}", settings_)
        served.accounts.create_user("kari", "Kari", "supervisor", PASSWORD)
        answer = requests.post(f"{served.url}/login", data={"username": "kari", "password": PASSWORD},
                               headers=public, allow_redirects=False, timeout=60)  # fmt: skip
        assert answer.status_code == expected, answer.text
