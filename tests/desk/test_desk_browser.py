"""The agent desk in a real browser (Debian's chromium driven by playwright) against the real desk server.

No Rasa behind the desk (tests/desk/conftest.py `serve_desk`): the hand-offs come in over the
internal API as the action server sends them, which is all the case card and the desk's own
controls need. Whole conversations with Rasa are in tests/e2e/test_web_chat_browser.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterator, Optional

import pytest
import requests
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions import carrier
from bot.desk.app import TEXTS
from tests.backend.conftest import free_port, running_backend
from tests.desk.conftest import PASSWORD, SERVICE_TOKEN

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser]

expect = playwright_api.expect
DESK_TEXTS = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))["desk"]
SIZES = {
    "laptop": {"width": 1280, "height": 800},
    "wide": {"width": 1920, "height": 1080},
    "phone": {"width": 390, "height": 844},
}
LOCALES = {"nb": "nb-NO", "sv": "sv-SE"}


@pytest.fixture
def carrier_at(monkeypatch) -> Iterator[Callable[[str], None]]:
    """`carrier_at(url)`: the carrier's adapters (carrier.yml, ${BACKEND_URL}) call `url` in this test."""

    def point(url: str) -> None:
        monkeypatch.setenv("BACKEND_URL", url)
        carrier.backend.cache_clear()
        carrier.tracking.cache_clear()

    yield point
    carrier.backend.cache_clear()
    carrier.tracking.cache_clear()


@pytest.fixture(scope="module")
def reference_backend(tmp_path_factory) -> Iterator[str]:
    """The carrier's reference back-end with its demo parcels, as `make run` starts it."""
    work = tmp_path_factory.mktemp("backend")
    with running_backend(f"sqlite:///{work / 'backend.db'}", work / "backend.log") as url:
        yield url


@pytest.fixture
def desk(tmp_path, settings, serve_desk, carrier_at):
    """The desk on its own SQLite file, with Ola, an agent for Norwegian and Swedish parcels and address changes.

    Nothing answers at the carrier's address: the case card says the tracking cannot answer now.
    """
    carrier_at(f"http://127.0.0.1:{free_port()}")
    served = serve_desk(f"sqlite:///{tmp_path / 'desk.db'}", dataclasses.replace(settings, cookie_secure=False))
    served.accounts.create_user("kari", "Kari", "supervisor", PASSWORD)
    served.accounts.create_user("ola", "Ola", "agent", PASSWORD)
    served.queue.add_agent("ola", "Ola", ["nb", "sv"], ["tracking", "address_change"])
    return served


def hand_over(
    desk, language: str, summary: Dict[str, Any], topic: str = "tracking", sender_id: Optional[str] = None
) -> int:
    """What actions/handoff.py posts when the bot hands a conversation over."""
    handoff = {"sender_id": sender_id or f"web-{uuid.uuid4().hex}", "channel": "webchat", "language": language,
               "topic": topic, "reason": "customer_asked", "summary": summary}  # fmt: skip
    response = requests.post(f"{desk.url}/internal/handoffs", json=handoff,
                             headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["handoff_id"]


def agent_window(windows, desk, language: str, size: str = "laptop"):
    """Ola logged in through the log-in page, in a browser set to `language`."""
    page = windows(viewport=SIZES[size], locale=LOCALES[language])
    page.goto(f"{desk.url}/login")
    page.fill("#username", "ola")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/desk$"))
    expect(page.locator("#take-next")).to_be_enabled()  # the desk's script is listening, keys included
    return page


@pytest.mark.parametrize("language", ["nb", "sv"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_case_card_reads_at_a_glance_in_the_agents_language(desk, windows, language, size):
    parcel = "CP710202412NO" if language == "nb" else "RR720202417SE"
    summary = {
        "topic": "tracking", "intent": "track_parcel", "tracking_number": parcel,
        "person_name": "Kari Nordmann", "contact": "kari.nordmann@example.no",
        # The same facts again, as the desk merges the live conversation's into the snapshot.
        "slots": {"tracking_number": parcel, "person_name": "Kari Nordmann"},
    }  # fmt: skip
    hand_over(desk, language, summary)
    words = DESK_TEXTS[language]

    page = agent_window(windows, desk, language, size)
    page.click("#take-next")
    card = page.locator("#case-card")
    expect(card.locator('[data-fact="tracking_number"] dd')).to_have_text(parcel)

    expect(card.locator("h4")).to_have_text([words["card_handover"], words["card_parcel"], words["card_contact"]])
    # No Rasa behind this desk: the agent is told so in their own language.
    expect(page.locator("#conversation-warning")).to_have_text(words["transcript_unavailable"])
    expect(card.locator('[data-fact="topic"] dd')).to_have_text(words["topic_tracking"])
    expect(card.locator('[data-fact="reason"] dd')).to_have_text(words["reason_customer_asked"])
    expect(card.locator('[data-fact="language"] dd')).to_have_text(words[f"language_{language}"])
    expect(card.locator('[data-fact="person_name"] dt')).to_have_text(words["summary_person_name"])
    expect(card.locator('[data-fact="parcel_status"] dd')).to_have_text(words["parcel_status_unavailable"])
    text = card.inner_text()
    assert text.count(parcel) == 1 and text.count("Kari Nordmann") == 1  # every fact once
    for raw in ("track_parcel", "tracking_number", "person_name", "customer_asked", "topic", "intent", "slots"):
        assert raw not in text, raw

    # Every value is laid out along a line, never a character per line: as wide as its text needs
    # (or the card), and a short value takes one line.
    for value in card.locator("dd").all():
        box = value.evaluate(
            "dd => ({width: dd.getBoundingClientRect().width, height: dd.getBoundingClientRect().height,"
            " line: parseFloat(getComputedStyle(dd).lineHeight), overflow: dd.scrollWidth - dd.clientWidth})"
        )
        assert box["width"] >= 120 and box["overflow"] <= 0, box
    parcel_box = card.locator('[data-fact="tracking_number"] dd').bounding_box()
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#case-card dd')).lineHeight)")
    assert parcel_box["height"] < 2 * line


def test_the_case_card_shows_an_address_change_in_progress_with_its_words(desk, windows):
    summary = {"topic": "address_change", "intent": "change_address", "person_name": "Anna Svensson",
               "old_address": "Storgatan 1, 111 22 Stockholm", "new_address": "Lillgatan 2, 222 33 Lund",
               "change_type": "temporary", "mail_forwarding": False, "moving_date": "2026-12-20"}  # fmt: skip
    hand_over(desk, "sv", summary, topic="address_change")
    words = DESK_TEXTS["sv"]

    page = agent_window(windows, desk, "sv")
    page.click("#take-next")
    order = page.locator('#case-card [data-section="order"]')
    expect(order.locator("h4")).to_have_text(words["card_order"])
    expect(order.locator('[data-fact="change_type"] dd')).to_have_text(words["change_type_temporary"])
    expect(order.locator('[data-fact="mail_forwarding"] dd')).to_have_text(words["no"])
    expect(order.locator('[data-fact="new_address"] dd')).to_have_text("Lillgatan 2, 222 33 Lund")

    page.select_option("#language-switch", "nb")  # the agent switches language: the card follows
    expect(order.locator('[data-fact="change_type"] dd')).to_have_text(DESK_TEXTS["nb"]["change_type_temporary"])
    expect(order.locator("h4")).to_have_text(DESK_TEXTS["nb"]["card_order"])


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_close_and_hand_back_works_for_the_next_conversation_without_a_reload(desk, windows, size):
    first = hand_over(desk, "nb", {"tracking_number": "CP710202412NO"})
    second = hand_over(desk, "nb", {"tracking_number": "CP710505444NO"})
    page = agent_window(windows, desk, "nb", size)

    page.click("#take-next")
    expect(page.locator('#case-card [data-fact="tracking_number"] dd')).to_have_text("CP710202412NO")
    page.fill("#close-resolution", "svart på")
    page.click("#close-send")
    expect(page.locator("#desk-status")).to_have_text(DESK_TEXTS["nb"]["closed_done"])

    page.click("#take-next")
    expect(page.locator('#case-card [data-fact="tracking_number"] dd')).to_have_text("CP710505444NO")
    for control in ("#close-send", "#close-resolution", "#reply-send", "#note-send", "#transfer-send"):
        expect(page.locator(control)).to_be_enabled()
    page.click("#close-send")
    expect(page.locator("#conversation")).to_be_hidden()
    assert [desk.queue.handoff(number).status for number in (first, second)] == ["closed", "closed"]


def customer_wrote(tmp_path, sender_id: str, *texts: str) -> None:
    """The conversation as Rasa's own tracker store keeps it, in the file the desk reads (`serve_desk`)."""
    events = [ActionExecuted("action_listen")]
    for text in texts:
        intent = {"name": text[1:] if text.startswith("/") else "track_parcel", "confidence": 0.9}
        events += [UserUttered(text, intent), BotUttered("Et øyeblikk."), ActionExecuted("action_listen")]
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with ThreadPoolExecutor(1) as thread:  # playwright's loop runs in this thread
        thread.submit(asyncio.run, store.save(DialogueStateTracker.from_events(sender_id, events))).result()
    store.engine.dispose()


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_a_busy_queue_scrolls_in_its_own_area_and_the_reply_box_stays_on_screen(desk, windows, tmp_path, size):
    words = DESK_TEXTS["nb"]
    customer_wrote(tmp_path, "web-first", "hei, hvor er pakka mi? CP710202412NO", "/affirm")  # then pressed a button
    first = hand_over(desk, "nb", {"person_name": "Kari Nordmann"}, sender_id="web-first")
    for number in range(1, 17):
        hand_over(desk, "nb", {"contact": f"kunde{number}@example.no"})
    hand_over(desk, "nb", {"person_name": "Ikke Min"}, topic="complaint")  # Ola has no complaint skill

    page = agent_window(windows, desk, "nb", size)
    rows = page.locator("#queue .queue-item")
    expect(rows).to_have_count(17)
    expect(page.locator("#queue-count")).to_have_text("17")
    expect(rows.first.locator(".q-who")).to_have_text("Kari Nordmann")
    expect(rows.first.locator(".q-words")).to_have_text("hei, hvor er pakka mi? CP710202412NO")
    expect(rows.first.locator(".q-topic")).to_contain_text(words["topic_tracking"])
    expect(rows.first.locator(".q-language")).to_have_text(words["language_nb"])
    expect(rows.first.locator(".q-waited")).to_have_text(re.compile(words["waited"].replace("{time}", r"\d\d:\d\d")))
    expect(rows.nth(1).locator(".q-who")).to_have_text("kunde1@example.no")
    assert "Ikke Min" not in page.locator("#queue").inner_text()
    viewport = SIZES[size]
    assert page.evaluate("document.documentElement.scrollHeight") <= viewport["height"]  # the page itself stays put
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.locator("#queue-panel").evaluate("panel => panel.scrollHeight > panel.clientHeight")

    page.click("#take-next")  # the longest-waiting customer Ola is skilled for
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Kari Nordmann")
    assert desk.queue.handoff(first).status == "assigned"
    for control in ("#reply-input", "#reply-send"):
        box = page.locator(control).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (control, box)
    assert page.evaluate("document.documentElement.scrollHeight") <= viewport["height"]
    if size == "phone":  # one thing at a time: the conversation, then back to the queue
        expect(page.locator("#queue-panel")).to_be_hidden()
        page.click("#conversation-hide")
        expect(page.locator("#queue-panel")).to_be_visible()
        expect(rows).to_have_count(16)


def test_canned_replies_in_the_conversations_language_by_shortcut_and_the_desks_keyboard_shortcuts(desk, windows):
    """A supervisor changes the Swedish replies at the desk; an agent inserts one with "/" + shortcut + Tab."""
    supervisor = requests.Session()
    login = supervisor.post(f"{desk.url}/login", json={"username": "kari", "password": PASSWORD}, timeout=60)
    supervisor.headers["Authorization"] = f"Bearer {login.json()['token']}"
    swedish = [
        {"shortcut": "hej", "title": "Hälsning", "text": "Hej, jag heter {agent}. Vad kan jag hjälpa till med?"},
        {"shortcut": "kolli", "title": "Kollinummer", "text": "Vilket kollinummer har försändelsen?"},
    ]
    stored = supervisor.put(f"{desk.url}/api/canned-replies/sv", json={"replies": swedish}, timeout=60)
    assert stored.status_code == 200, stored.text
    first = hand_over(desk, "sv", {"person_name": "Anna Svensson"})
    second = hand_over(desk, "sv", {"person_name": "Lars Berg"})
    page = agent_window(windows, desk, "nb")  # Ola reads the desk in Norwegian; the customers write Swedish

    page.keyboard.press("Alt+KeyN")
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Anna Svensson")
    page.locator("#reply-input").press_sequentially("/hej")
    page.keyboard.press("Tab")
    expect(page.locator("#reply-input")).to_have_value("Hej, jag heter Ola. Vad kan jag hjälpa till med?")
    expect(page.locator("#reply-input")).to_be_focused()
    page.select_option("#canned-select", "kolli")
    expect(page.locator("#reply-input")).to_have_value(
        "Hej, jag heter Ola. Vad kan jag hjälpa till med?Vilket kollinummer har försändelsen?"
    )
    page.fill("#reply-input", "/finnes-ikke")
    page.keyboard.press("Tab")  # no such shortcut: Tab moves on as usual
    expect(page.locator("#reply-input")).to_have_value("/finnes-ikke")
    expect(page.locator("#reply-input")).not_to_be_focused()

    page.keyboard.press("Alt+KeyN")  # the next customer; the first stays in "mine"
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Lars Berg")
    page.keyboard.press("Alt+KeyJ")  # next of my conversations
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Anna Svensson")
    page.keyboard.press("Alt+KeyK")  # close and hand back
    expect(page.locator("#desk-status")).to_have_text(DESK_TEXTS["nb"]["closed_done"])
    assert (desk.queue.handoff(first).status, desk.queue.handoff(second).status) == ("closed", "assigned")


def test_only_a_supervisor_changes_canned_replies_and_sees_the_live_view(desk):
    def logged_in(username: str) -> requests.Session:
        session = requests.Session()
        login = session.post(f"{desk.url}/login", json={"username": username, "password": PASSWORD}, timeout=60)
        session.headers["Authorization"] = f"Bearer {login.json()['token']}"
        return session

    agent, supervisor = logged_in("ola"), logged_in("kari")
    assert agent.get(f"{desk.url}/api/live", timeout=60).status_code == 403  # the live view is the supervisor's
    assert supervisor.get(f"{desk.url}/api/live", timeout=60).status_code == 200
    shipped = agent.get(f"{desk.url}/api/canned-replies", timeout=60).json()
    assert shipped["nb"] and shipped["sv"]  # the shipped ones, in both languages
    reply = {"shortcut": "hei", "title": "Hei", "text": "Hei!"}
    assert agent.put(f"{desk.url}/api/canned-replies/nb", json={"replies": [reply]}, timeout=60).status_code == 403
    bad_lists = ([{**reply, "shortcut": "to ord"}], [reply, reply], [{**reply, "text": ""}],
                 [{**reply, "text": "a\x00"}], "hei", [{**reply, "text": "x" * 4001}])  # fmt: skip
    for bad in bad_lists:
        refused = supervisor.put(f"{desk.url}/api/canned-replies/nb", json={"replies": bad}, timeout=60)
        assert refused.status_code == 400, (bad, refused.text)
    assert supervisor.put(f"{desk.url}/api/canned-replies/en", json={"replies": [reply]}, timeout=60).status_code == 400
    assert agent.get(f"{desk.url}/api/canned-replies", timeout=60).json() == shipped  # nothing was stored

    assert supervisor.put(f"{desk.url}/api/canned-replies/nb", json={"replies": [reply]}, timeout=60).status_code == 200
    assert agent.get(f"{desk.url}/api/canned-replies", timeout=60).json() == {"nb": [reply], "sv": shipped["sv"]}
    on_disk = yaml.safe_load(desk.accounts.settings.canned_replies.read_text(encoding="utf-8"))  # kept in YAML
    assert on_disk == {"nb": [reply], "sv": shipped["sv"]}


OPENING_HOURS = "Kundtjänst har öppet 8 till 20 på vardagar."


def test_a_supervisor_edits_the_swedish_canned_replies_on_the_supervisor_page(desk, windows):
    page = windows(viewport=SIZES["laptop"], locale="sv-SE")
    page.goto(f"{desk.url}/login")
    page.fill("#username", "kari")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/supervisor$"))
    words = DESK_TEXTS["sv"]
    expect(page.locator("#canned-list .canned-reply").first).to_be_visible()

    page.select_option("#canned-language", "sv")
    expect(page.locator("#canned-shortcut-1")).to_have_value("hej")  # the shipped Swedish ones
    count = page.locator("#canned-list .canned-reply").count()
    page.fill("#canned-text-1", "Hej! Jag heter {agent}.")
    page.click(f"button:has-text('{words['canned_remove'].format(n=2)}')")
    page.click("#canned-add")
    expect(page.locator(f"#canned-shortcut-{count}")).to_be_focused()
    page.fill(f"#canned-shortcut-{count}", "oppet")
    page.fill(f"#canned-title-{count}", "Öppettider")
    page.fill(f"#canned-text-{count}", OPENING_HOURS)
    page.click("#canned-save")
    expect(page.locator("#canned-status")).to_have_text(words["canned_saved"].format(language=words["language_sv"]))

    stored = yaml.safe_load(desk.accounts.settings.canned_replies.read_text(encoding="utf-8"))
    assert stored["sv"][0]["text"] == "Hej! Jag heter {agent}." and len(stored["sv"]) == count
    assert stored["sv"][-1] == {"shortcut": "oppet", "title": "Öppettider", "text": OPENING_HOURS}
    assert stored["nb"][0]["shortcut"] == "hei"  # the Norwegian ones untouched

    page.fill("#canned-shortcut-1", "två ord")
    page.click("#canned-save")
    expect(page.locator("#canned-status")).to_contain_text(words["canned_not_saved"].split("{")[0])


@pytest.mark.parametrize("language, parcel, status", [("nb", "CP710202412NO", "in_transit"),
                                                      ("sv", "RR720505449SE", "ready_for_pickup")])  # fmt: skip
def test_the_case_card_shows_the_parcels_live_status_from_the_carrier(
    desk, windows, carrier_at, reference_backend, language, parcel, status
):
    carrier_at(reference_backend)
    shipment = requests.get(f"{reference_backend}/v1/shipments/{parcel}", timeout=60).json()
    assert shipment["status"] == status
    hand_over(desk, language, {"tracking_number": parcel})
    words = DESK_TEXTS[language]

    page = agent_window(windows, desk, language)
    page.click("#take-next")
    section = page.locator('#case-card [data-section="parcel"]')
    expect(section.locator('[data-fact="parcel_status"] dd')).to_have_text(words[f"parcel_status_{status}"])
    expect(section.locator('[data-fact="parcel_location"] dt')).to_have_text(words["summary_parcel_location"])
    assert "_" not in section.inner_text()  # no status code, no key


# Records what the page shows as desktop notifications and how often it sounds, around the browser's own APIs.
RECORD_ALERTS = """
window.__notifications = [];
window.__tones = 0;
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.__notifications.push(title); }
};
const RealAudioContext = window.AudioContext;
window.AudioContext = class extends RealAudioContext {
  createOscillator() { window.__tones += 1; return super.createOscillator(); }
};
"""


def notified(page, count: int) -> None:
    """Waits until the page has shown `count` notifications (polled: the desk's policy forbids the eval
    of wait_for_function)."""
    deadline = time.monotonic() + 10
    while page.evaluate("window.__notifications.length") < count:
        assert time.monotonic() < deadline, page.evaluate("window.__notifications")
        page.wait_for_timeout(100)


def test_new_customers_and_new_messages_sound_notify_and_mark_my_conversations_unread(desk, windows, tmp_path):
    words = DESK_TEXTS["nb"]
    page = windows(viewport=SIZES["laptop"], locale="nb-NO", permissions=["notifications"])
    page.add_init_script(RECORD_ALERTS)
    page.goto(f"{desk.url}/login")
    page.fill("#username", "ola")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#take-next")).to_be_enabled()
    expect(page.locator("#notify-enable")).to_be_hidden()  # allowed already: nothing to ask

    hand_over(desk, "nb", {"person_name": "Ikke Min"}, topic="complaint")  # not Ola's skill: no alert
    customer_wrote(tmp_path, "web-kari", "hei, pakka mi er borte")
    hand_over(desk, "nb", {"person_name": "Kari Nordmann"}, sender_id="web-kari")
    expect(page.locator("#queue .queue-item")).to_have_count(1)
    notified(page, 1)
    assert page.evaluate("window.__notifications") == [words["notify_handoff"].format(count=1)]
    assert page.evaluate("window.__tones") == 1

    page.click("#take-next")
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Kari Nordmann")
    hand_over(desk, "nb", {"person_name": "Lars Berg"})
    notified(page, 2)
    page.click("#take-next")  # Kari's conversation stays in "mine", not open
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Lars Berg")
    kari = page.locator("#mine .mine-item", has_text="Kari Nordmann")
    expect(kari.locator(".unread")).to_have_count(0)

    customer_wrote(tmp_path, "web-kari", "hei, pakka mi er borte", "hallo? er det noen der?")
    expect(kari.locator(".unread")).to_have_text(words["unread"].format(count=1))
    notified(page, 3)
    assert page.evaluate("window.__notifications")[-1] == words["notify_message"].format(who="Kari Nordmann")

    kari.click()  # read
    expect(page.locator('#case-card [data-fact="person_name"] dd')).to_have_text("Kari Nordmann")
    expect(page.locator("#mine .mine-item", has_text="Kari Nordmann").locator(".unread")).to_have_count(0)
    assert page.evaluate("window.__notifications").count(words["notify_handoff"].format(count=1)) == 2


def test_the_supervisor_sees_the_contact_centre_live(desk, windows):
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    for _ in range(3):
        hand_over(desk, "nb", {"tracking_number": "CP710202412NO"})
    angry = {"sender_id": "web-sint", "channel": "webchat", "language": "nb", "topic": "complaint", "reason": "angry",
             "summary": {}}  # fmt: skip
    assert requests.post(f"{desk.url}/internal/handoffs", json=angry, headers=service, timeout=60).ok
    callback = {"sender_id": "web-ring", "language": "sv", "topic": "tracking", "contact": "+46701234567",
                "preferred_time": "i morgon"}  # fmt: skip
    stored = requests.post(f"{desk.url}/internal/callbacks", json=callback, headers=service, timeout=60)
    assert stored.status_code == 201, stored.text
    ola = requests.Session()  # Ola works at the desk meanwhile: one closed, one open
    ola.headers["Authorization"] = "Bearer " + ola.post(
        f"{desk.url}/login", json={"username": "ola", "password": PASSWORD}, timeout=60
    ).json()["token"]
    first = ola.post(f"{desk.url}/api/handoffs/next", json={}, timeout=60).json()["handoff"]["id"]
    assert ola.post(f"{desk.url}/api/handoffs/{first}/close", json={"resolution": "ok"}, timeout=60).ok
    assert ola.post(f"{desk.url}/api/handoffs/next", json={}, timeout=60).ok

    page = windows(viewport=SIZES["laptop"], locale="nb-NO")
    page.goto(f"{desk.url}/login")
    page.fill("#username", "kari")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/supervisor$"))
    words = DESK_TEXTS["nb"]
    tiles = page.locator("#live-tiles")
    expect(tiles.locator('[data-live="waiting"] .tile-value')).to_have_text("2")
    one_of_one = words["live_of"].format(part=1, whole=1)
    expect(tiles.locator('[data-live="agents_online"] .tile-value')).to_have_text(one_of_one)
    expect(tiles.locator('[data-live="callbacks_waiting"] .tile-value')).to_have_text("1")
    expect(tiles.locator('[data-live="longest_wait"] .tile-label')).to_have_text(words["live_longest_wait"])
    row = page.locator('#live-agents tr[data-agent="ola"]')
    expect(row.locator(".live-online")).to_have_text(words["live_online"])
    expect(row.locator(".live-open")).to_have_text("1")
    expect(row.locator(".live-closed")).to_have_text("1")
    expect(row.locator(".live-handling")).to_have_text(re.compile(r"\d+ s$"))  # closed within seconds
    expect(page.locator('#live-reasons tr[data-reason="customer_asked"] td')).to_have_text("3")
    expect(page.locator('#live-reasons tr[data-reason="angry"] th')).to_have_text(words["reason_angry"])

    hand_over(desk, "nb", {"tracking_number": "CP710505444NO"})  # the view keeps up by itself
    expect(tiles.locator('[data-live="waiting"] .tile-value')).to_have_text("3", timeout=15_000)
