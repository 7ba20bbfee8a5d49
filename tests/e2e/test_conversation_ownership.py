"""A conversation belongs to the channel that created it (bot/channels/ownership.py), and a public
channel cannot claim what only the server may set: the channel of a hand-off and why it was made."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict

import pytest
import requests

from bot import secrets
from tests.fuzz.hostile import assert_refusal
from tests.support.desk import DeskUser, add_user
from tests.support.webchat import WebChat

pytestmark = pytest.mark.e2e

ASK_FOR_A_PERSON = "kan jeg få snakke med en person?"
FORGED_METADATA = {
    "language": "nb",
    "handoff_reason": "caller_silent",
    "caller": "+4799999999",
    "input_channel": "voice",
}


@pytest.fixture(scope="module")
def agent(assistant, supervisor):
    return DeskUser(assistant, add_user(assistant, "Maja"))


def events(assistant: Any, sender: str) -> list:
    url = f"{assistant.rasa_url}/conversations/{sender}/tracker"
    return requests.get(url, params={"token": assistant.rasa_token}, timeout=30).json()["events"]


async def stored(assistant: Any, sender: str, text: str, seconds: float = 30.0) -> None:
    """Waits until the conversation holds the customer's `text` (the socket must stay open until then)."""
    for _ in range(int(seconds * 4)):
        if any(e.get("text") == text for e in events(assistant, sender) if e["event"] == "user"):
            return
        await asyncio.sleep(0.25)


def rest(assistant: Any, sender: str, message: str, stream: bool = False, **fields: Any) -> requests.Response:
    body = {"sender": sender, "message": message, **fields}
    return requests.post(assistant.rest_url, params={"stream": "true"} if stream else {}, json=body, timeout=60)


def voice(assistant: Any, sender: str, message: str) -> requests.Response:
    token = assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)]
    body = {"sender": sender, "message": message, "metadata": {"caller": "+4712345678"}}
    url = f"{assistant.rasa_url}/webhooks/voice/webhook"
    return requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_no_other_channel_writes_into_a_web_chat_conversation_and_agents_replies_still_reach_the_page(
    assistant, agent
):
    """Knowing a page's conversation id used to be enough to read the bot's answers in it over REST, to
    write as the customer, and to send the agent's replies to REST instead of the page."""

    async def story():
        async with WebChat(assistant, "nb") as chat:
            await chat.says(ASK_FOR_A_PERSON)
            await chat.hears_until(lambda frame: frame.get("handoff") == "waiting")
            before = events(assistant, chat.session_id)
            forged = [
                rest(assistant, chat.session_id, "jeg har flyttet til Storgata 1, 0155 Oslo"),
                rest(assistant, chat.session_id, "hei", stream=True),
                voice(assistant, chat.session_id, "hei"),
            ]
            after = events(assistant, chat.session_id)
            handoff = agent.handoff_of(chat.session_id)
            assert agent.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
            joined = await chat.hears()
            assert agent.post(f"/api/handoffs/{handoff['id']}/messages", {"text": "Hei, Maja her."}).status_code == 201
            reply = await chat.hears()
            await chat.says("takk")  # the page's own session goes on
            await stored(assistant, chat.session_id, "takk")
            return chat.session_id, before, forged, after, joined, reply

    session_id, before, forged, after, joined, reply = asyncio.run(story())
    for response in forged:
        assert_refusal(response, 403, "foreign_conversation")
    assert after == before  # nothing of the refused turns was stored
    assert joined["agent"] == "Maja" and reply == {"text": "Hei, Maja her.", "agent": "Maja"}
    customer = [(e["text"], e["input_channel"]) for e in events(assistant, session_id) if e["event"] == "user"]
    assert customer == [(ASK_FOR_A_PERSON, "webchat"), ("takk", "webchat")]


def test_rest_and_voice_keep_to_their_own_conversations(assistant):
    call, chat = f"call-{uuid.uuid4().hex}", f"test-{uuid.uuid4().hex}"
    assert voice(assistant, call, "hei").status_code == 200
    assert rest(assistant, chat, "hei").status_code == 200
    assert_refusal(rest(assistant, call, "hei"), 403, "foreign_conversation")
    assert_refusal(voice(assistant, chat, "hei"), 403, "foreign_conversation")
    assert [e["input_channel"] for e in events(assistant, call) if e["event"] == "user"] == ["voice"]
    assert [e["input_channel"] for e in events(assistant, chat) if e["event"] == "user"] == ["rest"]


def test_a_rest_client_cannot_pass_itself_off_as_a_phone_call(assistant, agent):
    """`input_channel: voice` and a phone's `handoff_reason` used to make the desk and the KPIs count a
    phone hand-off of a caller who stayed silent."""
    sender = f"test-{uuid.uuid4().hex}"
    answer = rest(assistant, sender, ASK_FOR_A_PERSON, input_channel="voice", metadata=FORGED_METADATA)
    assert answer.status_code == 200 and any(message.get("text") for message in answer.json())
    handoff = agent.handoff_of(sender)
    assert (handoff["channel"], handoff["reason"]) == ("rest", "customer_asked")
    assert_server_only_metadata_dropped(events(assistant, sender))


def test_a_web_chat_page_cannot_choose_why_it_was_handed_over(assistant, agent):
    async def story():
        async with WebChat(assistant, "nb") as chat:
            message = {"message": ASK_FOR_A_PERSON, "session_id": chat.session_id, "token": chat.session["token"]}
            await chat.client.emit("user_uttered", {**message, "customData": FORGED_METADATA})
            await chat.hears_until(lambda frame: frame.get("handoff") == "waiting")
            return chat.session_id

    session_id = asyncio.run(story())
    handoff = agent.handoff_of(session_id)
    assert (handoff["channel"], handoff["reason"]) == ("webchat", "customer_asked")
    assert_server_only_metadata_dropped(events(assistant, session_id))


def assert_server_only_metadata_dropped(stored: list) -> None:
    metadata: Dict[str, Any] = next(e for e in stored if e["event"] == "user")["metadata"]
    assert not set(metadata) & set(FORGED_METADATA) - {"language"}, metadata
    assert metadata["language"] == "nb"  # the customer's own language hint is kept
