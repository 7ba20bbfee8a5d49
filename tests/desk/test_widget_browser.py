"""The customer's chat in a real browser (Debian's chromium driven by playwright) against the real desk server:
embedded with one script tag on a shop's page whose CSS is hostile, and on the desk's own chat page.

No Rasa behind the desk (tests/desk/conftest.py `serve_desk`), so the chat never connects: what is
tested here is how the page shows itself and what the customer writes. Conversations with the bot
are in tests/e2e/test_web_chat_browser.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import re
import threading
from typing import Iterator

import pytest
import requests
import yaml

from bot.channels.settings import Rate
from bot.desk.app import TEXTS

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser]

expect = playwright_api.expect
WIDGET_TEXTS = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))["widget"]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
RED = "rgb(255, 0, 0)"
# Every rule a shop's stylesheet might have that once reached the chat: its h1 colour, upper case,
# letter spacing, other fonts and box sizes, on the elements and on the chat's own element.
HOSTILE_CSS = """
h1, h2, h3, p, div, span, button, input, label, a { color: rgb(255, 0, 0) !important;
  text-transform: uppercase !important; letter-spacing: 8px !important; font-family: serif !important;
  font-size: 30px !important; }
body, #kundesenter-chat { color: rgb(255, 0, 0); text-transform: uppercase; letter-spacing: 8px; font-style: italic; }
* { box-sizing: content-box !important; padding: 3px !important; }
"""


@pytest.fixture
def desk(tmp_path, settings, serve_desk):
    return serve_desk(f"sqlite:///{tmp_path / 'desk.db'}", dataclasses.replace(settings, cookie_secure=False))


@pytest.fixture
def shop(desk) -> Iterator[str]:
    """A shop's page on another origin (its own HTTP server) that embeds the chat with its script tag."""
    page = f"""<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Butikken</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{HOSTILE_CSS}</style></head>
<body><h1>Butikken vår</h1><p>Velkommen.</p><a href="/tilbud">Tilbud</a>
<script src="{desk.url}/widget.js" data-lang="nb" async></script></body></html>""".encode()

    class Shop(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name for it
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=30)


def open_chat(page, url: str):
    page.goto(url)
    page.click("#ks-launcher")
    expect(page.locator("#ks-panel")).to_be_visible()
    return page


def style_of(page, selector: str) -> dict:
    return page.locator(selector).evaluate(
        "node => { const s = getComputedStyle(node); return {color: s.color, transform: s.textTransform,"
        " spacing: s.letterSpacing, style: s.fontStyle, family: s.fontFamily, size: s.fontSize}; }"
    )


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_shops_hostile_css_does_not_reach_the_chat_and_the_chat_adds_no_second_h1(shop, windows, viewport):
    page = open_chat(windows(viewport=viewport), shop)
    expect(page.locator("#ks-title")).to_have_text("Chat med kundeservice")

    for part in ("#ks-title", "#ks-input", "#ks-send", "#ks-end"):
        style = style_of(page, part)
        assert style["color"] != RED and style["transform"] == "none" and style["spacing"] == "normal", (part, style)
        assert style["style"] == "normal" and "serif" != style["family"] and style["size"] != "30px", (part, style)
    assert page.locator("#ks-title").inner_text() == "Chat med kundeservice"  # not upper-cased
    assert style_of(page, "body > h1")["color"] == RED  # and the chat's stylesheet left the shop's page alone
    expect(page.locator("h1")).to_have_count(1)  # the shop's; playwright's locator also looks inside the chat
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_on_a_phone_the_full_screen_chat_keeps_the_focus_inside(shop, windows):
    page = open_chat(windows(viewport=PHONE), shop)
    expect(page.locator("#ks-panel")).to_have_attribute("aria-modal", "true")
    focused = "document.activeElement.shadowRoot.activeElement"  # the page's focus is on the chat's host element
    inside = f"() => document.activeElement.id === 'kundesenter-chat' && {focused} !== null"
    visited = set()
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate(inside), key
        visited.add(page.evaluate(f"{focused}.id || {focused}.className"))
    assert {"ks-input", "ks-send", "ks-close"} <= visited  # it went round, not stuck on one control
    page.keyboard.press("Escape")
    expect(page.locator("#ks-panel")).to_be_hidden()
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.id") == "ks-launcher"


def test_on_a_laptop_the_corner_chat_does_not_trap_the_focus(shop, windows):
    page = open_chat(windows(viewport=LAPTOP), shop)
    expect(page.locator("#ks-panel")).to_have_attribute("aria-modal", "false")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_web_mail_and_phone_links_are_clickable_and_nothing_else_is(desk, windows, viewport):
    page = windows(viewport=viewport, locale="nb-NO")
    page.goto(f"{desk.url}/chat?lang=nb")
    message = ("Se https://www.posten.no/sporing. Ring +47 22 03 00 00 eller 915 00 000, "
               "skriv til kundeservice@posten.no "
               "javascript:alert(1) data:text/html,<script>alert(2)</script> JAVASCRIPT:alert(3) vbscript:x "
               "https://example.no/\"onmouseover=alert(4)")  # fmt: skip
    page.fill("#ks-input", message)
    page.press("#ks-input", "Enter")
    bubble = page.locator('#kundesenter-chat .ks-msg[data-role="customer"]').last  # as tests/e2e select it
    expect(bubble.locator(".ks-msg-text")).to_have_text(message)  # every character still shown, as text

    links = bubble.locator("a")
    expect(links).to_have_count(5)
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert hrefs == [
        "https://www.posten.no/sporing", "tel:+4722030000", "tel:91500000", "mailto:kundeservice@posten.no",
        "https://example.no/",
    ], hrefs  # fmt: skip
    assert all("noopener" in (link.get_attribute("rel") or "").split() for link in links.all())
    assert [link.get_attribute("target") for link in links.all()] == ["_blank", None, None, None, "_blank"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    stamp = bubble.locator("time.ks-msg-time")
    written = dt.datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.timezone.utc) - written).total_seconds()) < 60
    shown = written.astimezone().strftime("%H:%M")  # the browser runs in this machine's time zone
    expect(stamp).to_have_text(shown)


def test_the_chat_page_has_exactly_one_h1_the_chats_title(desk, windows):
    page = windows(viewport=PHONE)
    page.goto(f"{desk.url}/chat?lang=sv")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("Chatta med kundtjänst")


def test_a_message_that_could_not_be_delivered_is_marked_and_goes_on_retry(tmp_path, settings, serve_desk, windows):
    """No session to be had (this address started too many: 429): the message says so and offers to send again."""
    one_every_four_seconds = dataclasses.replace(settings.new_chat_sessions, rate=Rate(per_second=0.25, burst=1.0))
    limited = dataclasses.replace(settings, new_chat_sessions=one_every_four_seconds)
    desk = serve_desk(f"sqlite:///{tmp_path / 'desk.db'}", limited)
    assert requests.post(f"{desk.url}/chat/api/sessions", json={}, timeout=60).status_code == 201  # the one for now
    words = WIDGET_TEXTS["nb"]

    page = windows(viewport=PHONE)
    page.goto(f"{desk.url}/chat?lang=nb")
    expect(page.locator("#ks-status")).to_have_text(words["unavailable"])
    page.fill("#ks-input", "hei, hvor er pakka mi?")
    page.press("#ks-input", "Enter")
    message = page.locator('#kundesenter-chat .ks-msg[data-role="customer"]')
    expect(message).to_have_class(re.compile(r"\bks-failed\b"))
    expect(message.locator(".ks-msg-failed")).to_contain_text(words["not_delivered"])
    assert page.evaluate("localStorage.getItem('kundesenter.session')") is None

    page.wait_for_timeout(4_500)  # the bucket has a session again
    message.locator(".ks-retry").click()
    expect(message).to_have_count(1)  # the same message, not a copy
    expect(message).to_have_class(re.compile(r"\bks-pending\b"))  # has its session; waits for the chat server
    expect(message.locator(".ks-msg-note")).to_have_text(words["pending"])
    expect(message.locator(".ks-msg-text")).to_have_text("hei, hvor er pakka mi?")
    assert page.evaluate("JSON.parse(localStorage.getItem('kundesenter.session')).session_id")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_chat_greets_with_topic_buttons_that_send_the_customers_words(desk, windows, viewport):
    words = WIDGET_TEXTS["sv"]
    page = windows(viewport=viewport, locale="sv-SE")
    page.goto(f"{desk.url}/chat?lang=sv")
    expect(page.locator('#kundesenter-chat .ks-greeting .ks-msg-text')).to_have_text(words["greeting"])
    topics = page.locator("#kundesenter-chat .ks-topics .ks-quick-reply")
    expect(topics).to_have_text([topic["title"] for topic in words["greeting_topics"]])
    expect(page.locator("#kundesenter-chat .ks-topics")).to_have_attribute("aria-label", words["topics_label"])

    person = words["greeting_topics"][-1]
    topics.filter(has_text=person["title"]).click()
    said = page.locator('#kundesenter-chat .ks-msg[data-role="customer"] .ks-msg-text')
    expect(said).to_have_text([person["message"]])
    expect(page.locator("#kundesenter-chat .ks-topics")).to_have_count(0)  # said: the topics have done their job
    expect(page.locator('#kundesenter-chat .ks-greeting')).to_be_visible()
    expect(page.locator("#ks-input")).to_be_focused()

    page.click('#kundesenter-chat .ks-lang-button[data-lang="nb"]')  # the greeting follows the language
    expect(page.locator('#kundesenter-chat .ks-greeting .ks-msg-text')).to_have_text(WIDGET_TEXTS["nb"]["greeting"])
