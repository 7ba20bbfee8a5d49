"""The web chat's socket.io channel (bot/channels/webchat.py): answers reach the page, and a page
reaches only its own conversation."""

from __future__ import annotations

import asyncio

import pytest
import requests

from tests.support.answers import said
from tests.support.webchat import WebChat, new_conversation

pytestmark = pytest.mark.e2e

CHANNEL = "webchat"  # WebChatInput.name(): the tracker's input_channel


def tracker(assistant, session_id):
    url = f"{assistant.rasa_url}/conversations/{session_id}/tracker"
    return requests.get(url, params={"token": assistant.rasa_token}, timeout=30).json()


def test_swedish_customer_tracks_a_parcel_over_the_web_chat(assistant, responses):
    number = "RR720505449SE"

    async def story():
        async with WebChat(assistant, "sv") as chat:
            await chat.says(f"hej, var är mitt paket? {number}")
            return chat.session_id, await chat.hears()

    session_id, answer = asyncio.run(story())
    assert said(answer, responses["utter_shipment_ready_for_pickup"]["sv"], tracking_number=number)
    assert "ICA Kvantum Liljeholmen" in answer["text"]
    state = tracker(assistant, session_id)
    assert state["latest_input_channel"] == CHANNEL
    assert state["latest_message"]["metadata"]["language"] == "sv"  # the page's customData reached the tracker


def test_a_page_cannot_join_or_write_into_another_customers_conversation(assistant):
    victim = new_conversation(assistant)
    intruder = new_conversation(assistant)
    forged = {"session_id": victim["session_id"], "token": intruder["token"]}

    async def story():
        async with WebChat(assistant, "nb", session=victim) as owner:
            await owner.says("hei")
            await owner.hears()
            async with WebChat(assistant, "nb", session=forged) as attacker:
                refused = await attacker.refused()
                await attacker.says("jeg vil endre adressen til Storgata 1, 0155 Oslo")
                written = await attacker.refused()
                await owner.says("hvor er pakken CP710202412NO")
                answer_to_owner = await owner.hears()
                overheard = not await attacker.hears_nothing(3.0)
            return attacker.confirmed, refused, written, answer_to_owner, overheard

    confirmed, refused, written, answer_to_owner, overheard = asyncio.run(story())
    assert not confirmed and "unknown conversation" in refused["error"] and "not delivered" in written["error"]
    assert "CP710202412NO" in answer_to_owner["text"] and not overheard
    texts = [e.get("text") for e in tracker(assistant, victim["session_id"])["events"] if e["event"] == "user"]
    assert texts == ["hei", "hvor er pakken CP710202412NO"]  # nothing the intruder wrote reached it
    history = requests.post(f"{assistant.desk_url}/chat/api/history", json=forged, timeout=30)
    assert history.status_code == 403


def test_history_gives_the_page_its_own_conversation_back(assistant):
    async def story():
        async with WebChat(assistant, "nb") as chat:
            await chat.says("hei")
            await chat.hears()
            return chat.session

    session = asyncio.run(story())
    history = requests.post(f"{assistant.desk_url}/chat/api/history", json=session, timeout=30).json()
    assert [m["role"] for m in history["messages"]] == ["customer", "bot"]
    assert history["messages"][0]["text"] == "hei" and history["handoff"] is None


@pytest.mark.parametrize("message, error", [("", "empty_message"), ("x" * 4001, "message_too_long")], ids=["empty", "huge"])
def test_empty_and_huge_messages_get_a_clear_refusal(assistant, message, error):
    async def story():
        async with WebChat(assistant, "nb") as chat:
            await chat.says(message)
            return await chat.message_refused(30)

    assert asyncio.run(story())["error"] == error
