"""The web chat page and the agent desk in a real browser (Debian's chromium driven by playwright).

A customer window and an agent window in the same test: the customer asks for a person, the agent
claims the conversation, they write to each other, the agent hands back, the bot answers again and
the customer's survey answer is stored.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from bot.desk.surveys import SurveyStore
from tests.support.desk import PASSWORD, DeskUser, add_user

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def customer_says(page, text: str) -> None:
    page.fill("#ks-input", text)
    page.press("#ks-input", "Enter")


def last_message(page, role: str):
    return page.locator(f'#kundesenter-chat .ks-msg[data-role="{role}"] .ks-msg-text').last


def session_of(page) -> dict:
    return page.evaluate("JSON.parse(localStorage.getItem('kundesenter.session'))")


def log_in(page, assistant, username: str) -> None:
    page.goto(f"{assistant.desk_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")


@pytest.mark.parametrize(
    "language, ask, parcel",
    [
        ("nb", "hei, kan jeg få snakke med en person?", "CP710202412NO"),
        ("sv", "hej, jag vill prata med en människa", "RR720202417SE"),
    ],
)
def test_customer_is_handed_to_an_agent_in_another_window_and_back_to_the_bot(
    assistant, supervisor, windows, responses, language, ask, parcel
):
    agent_name = "Kari" if language == "nb" else "Anna"
    username = add_user(assistant, agent_name)
    dialogs = []

    customer = windows(viewport={"width": 390, "height": 800})  # a phone
    customer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    customer.goto(f"{assistant.desk_url}/chat?lang={language}")
    customer_says(customer, ask)
    queued_text = responses["utter_handoff_queued"][language]["text"].split("{")[0].strip()
    playwright_api.expect(last_message(customer, "bot")).to_contain_text(queued_text)
    session = session_of(customer)
    handoff = DeskUser(assistant, username).handoff_of(session["session_id"])

    agent = windows()
    agent.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(agent, assistant, username)
    agent.wait_for_url(re.compile(r"/desk$"))
    agent.click(f'.queue-item[data-id="{handoff["id"]}"] .claim')
    playwright_api.expect(agent.locator("#conversation")).to_be_visible()
    playwright_api.expect(customer.locator(".ks-agent-name").last).to_have_text(agent_name)

    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)> pakken min?"
    customer_says(customer, hostile)
    playwright_api.expect(agent.locator('#conversation .msg[data-role="customer"]').last).to_contain_text(hostile)

    agent.fill("#reply-input", "Hei! Jeg har sjekket, pakken er på vei.")
    agent.click("#reply-send")
    playwright_api.expect(last_message(customer, "agent")).to_have_text("Hei! Jeg har sjekket, pakken er på vei.")

    agent.fill("#close-resolution", "answered")
    agent.click("#close-send")
    playwright_api.expect(customer.locator("#ks-survey")).to_be_visible()

    customer_says(customer, f"en ting til: hvor er {parcel}?" if language == "nb" else f"en sak till: var är {parcel}?")
    playwright_api.expect(last_message(customer, "bot")).to_contain_text(parcel)  # the bot answers again

    customer.check('#ks-survey input[name="satisfaction"][value="4"]')
    customer.check('#ks-survey input[name="nps"][value="9"]')
    customer.click("#ks-survey-submit")
    playwright_api.expect(customer.locator("#ks-survey-thanks")).to_be_visible()

    now = dt.datetime.now(dt.timezone.utc)
    answers = SurveyStore(assistant.desk_database_url).answers(
        now - dt.timedelta(hours=1), now + dt.timedelta(minutes=1)
    )
    assert [(a.satisfaction, a.nps, a.language) for a in answers if a.session_id == session["session_id"]] == [
        (4, 9, language)
    ]
    assert dialogs == []  # no script from a message ran in either window
    assert customer.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone


def test_agent_pages_need_a_login_and_a_wrong_password_is_refused(assistant, supervisor, windows):
    page = windows()
    page.goto(f"{assistant.desk_url}/desk")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("#username", "nobody")
    page.fill("#password", "not the password")
    page.click("#login-submit")
    playwright_api.expect(page.locator("#login-error")).not_to_be_empty()
    assert page.url.endswith("/login?error=wrong")


def test_a_supervisor_sees_the_kpis_and_logs_out_from_the_page(assistant, supervisor, windows):
    """The supervisor view draws its figures under the desk's policy, and its log-out form passes the origin check."""
    page = windows()
    log_in(page, assistant, add_user(assistant, "Liv", role="supervisor"))
    page.wait_for_url(re.compile(r"/supervisor$"))
    playwright_api.expect(page.locator('#kpi-tiles .tile[data-kpi="conversations"]')).to_be_visible()
    page.click("#logout")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(f"{assistant.desk_url}/desk")
    page.wait_for_url(re.compile(r"/login$"))  # the session really ended


def test_a_conversation_survives_a_chat_server_restart(assistant, windows, responses):
    """The page reconnects by itself and the conversation goes on from the stored tracker."""
    from bot import services

    page = windows()
    page.goto(f"{assistant.desk_url}/chat?lang=sv")
    customer_says(page, "hej")
    playwright_api.expect(last_message(page, "bot")).to_have_text(responses["utter_greet"]["sv"]["text"])

    assistant.stop("rasa")
    playwright_api.expect(page.locator("#ks-status")).to_be_visible()
    services.respawn(assistant, "rasa")
    services.wait_until_ready(assistant)

    customer_says(page, "var är mitt paket RR720505449SE")
    playwright_api.expect(last_message(page, "bot")).to_contain_text("ICA Kvantum Liljeholmen", timeout=120_000)
    page.reload()  # a reload shows the whole conversation from before and after the restart
    customer_messages = page.locator('#kundesenter-chat .ks-msg[data-role="customer"] .ks-msg-text')
    playwright_api.expect(customer_messages).to_have_text(["hej", "var är mitt paket RR720505449SE"])  # waits for the history


def test_the_desks_log_never_holds_the_chats_token(assistant, windows, responses):
    """A reload asks the desk for the history; its access log has the request, never the token that owns the chat."""
    page = windows()
    page.goto(f"{assistant.desk_url}/chat?lang=nb")
    customer_says(page, "hei")
    playwright_api.expect(last_message(page, "bot")).to_have_text(responses["utter_greet"]["nb"]["text"])
    page.reload()
    customer_messages = page.locator('#kundesenter-chat .ks-msg[data-role="customer"] .ks-msg-text')
    playwright_api.expect(customer_messages).to_have_text(["hei"])  # the history came back
    token = session_of(page)["token"]

    log = assistant.log_dir / "desk.log"
    deadline = time.monotonic() + 10
    while "/chat/api/history" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.1)  # the access line is written just after the answer
    text = log.read_text(encoding="utf-8")
    assert "/chat/api/history" in text
    assert token not in text
