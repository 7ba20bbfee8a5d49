"""Customers handed to a person: the bot queues at the desk, stays silent while an agent has the
conversation, and takes over again when the agent hands back. Customers use the web chat's socket
protocol (tests/support/webchat.py); agents use the desk's API (tests/support/desk.py)."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.answers import said
from tests.support.desk import DeskUser, add_user
from tests.support.webchat import WebChat

pytestmark = pytest.mark.e2e


def is_queued(frame):
    return frame.get("handoff") == "waiting"


@pytest.fixture(scope="module")
def agent(assistant, supervisor):
    return DeskUser(assistant, add_user(assistant, "Kari"))


@pytest.mark.parametrize(
    "language, ask, question, parcel, status",
    [
        (
            "nb",
            "kan jeg få snakke med et menneske?",
            "hallo, er det noen der? pakken min er borte",
            "CP710202412NO",
            "utter_shipment_in_transit",
        ),
        (
            "sv",
            "jag vill prata med en människa",
            "hej, är det någon där? mitt paket har inte kommit",
            "RR720202417SE",
            "utter_shipment_in_transit",
        ),
    ],
)
def test_customer_asks_for_a_person_talks_to_an_agent_and_gets_the_bot_back(
    assistant, agent, responses, language, ask, question, parcel, status
):
    async def story():
        async with WebChat(assistant, language) as chat:
            await chat.says(ask)
            queued = (await chat.hears_until(is_queued))[-1]
            handoff = agent.handoff_of(chat.session_id)
            await chat.says(question)  # while waiting: stored for the agent, no answer from the bot
            assert await chat.hears_nothing(3.0)

            claimed = agent.post(f"/api/handoffs/{handoff['id']}/claim")
            assert claimed.status_code == 200, claimed.text
            joined = await chat.hears()
            view = claimed.json()
            assert [m["text"] for m in view["transcript"] if m["role"] == "customer"][-1] == question

            assert (
                agent.post(
                    f"/api/handoffs/{handoff['id']}/messages", {"text": "Hei! Jeg ser på saken din nå."}
                ).status_code
                == 201
            )
            reply = await chat.hears()
            await chat.says("takk, flott")
            assert await chat.hears_nothing(3.0)  # the bot stays silent while the agent has the conversation
            transcript = agent.conversation(handoff["id"])["transcript"]

            assert agent.post(f"/api/handoffs/{handoff['id']}/close", {"resolution": "answered"}).status_code == 200
            back = await chat.hears()
            await chat.says(f"hvor er pakken {parcel}" if language == "nb" else f"var är paketet {parcel}")
            tracked = await chat.hears()
            return queued, handoff, joined, reply, transcript, back, tracked

    queued, handoff, joined, reply, transcript, back, tracked = asyncio.run(story())
    assert said(queued, responses["utter_handoff_queued"][language])
    assert handoff["reason"] == "customer_asked" and handoff["language"] == language
    assert joined["agent"] == "Kari" and joined["handoff"] == "assigned" and "Kari" in joined["text"]
    assert reply == {"text": "Hei! Jeg ser på saken din nå.", "agent": "Kari"}
    assert [m["role"] for m in transcript[-2:]] == ["agent", "customer"] and transcript[-1]["text"] == "takk, flott"
    assert back["handoff"] == "closed" and back["survey"] is True
    assert said(tracked, responses[status][language], tracking_number=parcel)


@pytest.mark.parametrize("language, gibberish", [("nb", "asdkjh qwpoeiru zxmcnv"), ("sv", "qqq zzzkkk ååpp xx")])
def test_two_misunderstandings_in_a_row_hand_over(assistant, agent, responses, language, gibberish):
    async def story():
        async with WebChat(assistant, language) as chat:
            await chat.says("hei" if language == "nb" else "hej")
            await chat.hears()
            await chat.says(gibberish)
            rephrase = await chat.hears()
            await chat.says(gibberish + " " + gibberish)
            frames = await chat.hears_until(is_queued)
            return rephrase, frames, agent.handoff_of(chat.session_id)

    rephrase, frames, handoff = asyncio.run(story())
    assert said(rephrase, responses["utter_rephrase"][language])
    assert said(frames[0], responses["utter_not_understood_handoff"][language])
    assert handoff["reason"] == "not_understood"


@pytest.mark.parametrize(
    "language, angry",
    [
        ("nb", "JEG VIL KLAGE!!! pakken kom knust for tredje gang, dere er helt udugelige"),
        ("sv", "jag vill reklamera, paketet är sönder IGEN!!! ni är helt värdelösa"),
    ],
)
def test_an_angry_complaint_goes_to_a_person(assistant, agent, responses, language, angry):
    async def story():
        async with WebChat(assistant, language) as chat:
            await chat.says(angry)
            return await chat.hears_until(is_queued), agent.handoff_of(chat.session_id)

    frames, handoff = asyncio.run(story())
    assert said(frames[0], responses["utter_complaint_empathy"][language])
    assert (handoff["reason"], handoff["topic"]) == ("angry", "complaint")


def test_tracking_while_the_back_end_is_down_goes_to_a_person(assistant, agent, outage, responses):
    async def story():
        async with WebChat(assistant, "nb") as chat:
            with outage.stopped():
                await chat.says("hvor er pakken min CP710202412NO")
                frames = await chat.hears_until(is_queued)
            return frames, agent.handoff_of(chat.session_id)

    frames, handoff = asyncio.run(story())
    assert said(frames[0], responses["utter_tracking_backend_down"]["nb"], tracking_number="CP710202412NO")
    assert (handoff["reason"], handoff["topic"]) == ("backend_down", "tracking")
    summary = agent.conversation(handoff["id"])["summary"]
    assert summary["tracking_number"] == "CP710202412NO"  # what the bot knew reaches the agent


@pytest.mark.parametrize(
    "language, contact, expected",
    [
        ("nb", "ring meg på 912 34 567", "+4791234567"),
        ("sv", "maila mig på anna.svensson@example.se", "anna.svensson@example.se"),
    ],
)
def test_outside_opening_hours_the_customer_leaves_a_call_back_request(
    assistant, agent, outage, responses, tmp_path, language, contact, expected
):
    when = {"nb": "i morgen formiddag, gjelder en pakke som ikke har kommet", "sv": "i morgon förmiddag, det gäller ett paket som inte har kommit"}

    async def story():
        async with WebChat(assistant, language) as chat:
            with outage.customer_service_closed(tmp_path):
                await chat.says("jeg vil snakke med en person" if language == "nb" else "jag vill prata med en person")
                closed = await chat.hears()
                ask_contact = await chat.hears()
                await chat.says("hmm vet ikke" if language == "nb" else "vet inte")
                invalid = await chat.hears()
                asked_again = await chat.hears()
                await chat.says(contact)
                ask_time = await chat.hears()
                await chat.says(when[language])
                registered = await chat.hears()
            return chat.session_id, closed, ask_contact, invalid, asked_again, ask_time, registered

    session_id, closed, ask_contact, invalid, asked_again, ask_time, registered = asyncio.run(story())
    assert said(closed, responses["utter_handoff_outside_hours"][language])
    assert said(ask_contact, responses["utter_ask_callback_form_contact"][language])
    assert said(invalid, responses["utter_contact_invalid"][language]) and asked_again == ask_contact
    assert said(ask_time, responses["utter_ask_callback_time"][language])
    assert said(registered, responses["utter_callback_registered"][language], contact=expected)
    callbacks = agent.get("/api/queue").json()["callbacks"]
    stored = [c for c in callbacks if c["sender_id"] == session_id]
    assert len(stored) == 1 and stored[0]["contact"] == expected
    assert stored[0]["preferred_time"] == when[language]
    assert all(item["sender_id"] != session_id for item in agent.waiting())  # nobody is left waiting in a closed queue
