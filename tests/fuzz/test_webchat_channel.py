"""Hostile input on the web chat's socket.io channel (bot/channels/webchat.py): refused on that socket only,
and the socket, the conversation and everyone else's conversations go on."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import pytest
import requests

from tests.fuzz.conftest import NUMBER, QUESTION
from tests.fuzz.hostile import BAD_TEXTS, WEIRD_BUT_VALID, deep, strict_json, user_texts
from tests.support.webchat import WebChat, new_conversation

pytestmark = pytest.mark.e2e


def tracker(assistant: Any, session_id: str) -> Dict[str, Any]:
    url = f"{assistant.rasa_url}/conversations/{session_id}/tracker"
    return requests.get(url, params={"token": assistant.rasa_token}, timeout=30).json()


def utterance(chat: WebChat, **fields: Any) -> Dict[str, Any]:
    message = {"message": "hei", "session_id": chat.session_id, "token": chat.session["token"], "customData": {}}
    return {key: value for key, value in {**message, **fields}.items() if value is not ...}


async def answered(chat: WebChat) -> None:
    """The socket still works: a real question gets its real answer."""
    await chat.says(QUESTION)
    frames = await chat.hears_until(lambda frame: NUMBER in frame.get("text", ""))
    assert frames


MESSAGE_REFUSALS = {
    **{f"message {name}": ({"message": text}, code) for name, (text, code) in BAD_TEXTS.items()},
    "customData a list": ({"customData": ["sv"]}, "invalid_metadata"),
    "customData a JSON string that is not an object": ({"customData": '"sv"'}, "invalid_metadata"),
    "customData JSON string not JSON": ({"customData": "{sv"}, "invalid_metadata"),
    "customData nested 20 deep": ({"customData": deep(20)}, "invalid_metadata"),
}


@pytest.mark.parametrize("name", MESSAGE_REFUSALS)
def test_a_bad_message_is_refused_on_that_socket_and_the_conversation_goes_on(assistant, name):
    fields, code = MESSAGE_REFUSALS[name]

    async def story():
        async with WebChat(assistant, "nb") as chat, WebChat(assistant, "nb") as neighbour:
            await chat.client.emit("user_uttered", utterance(chat, **fields))
            refusal = await chat.message_refused()
            overheard = not neighbour.message_refusals.empty()
            await answered(chat)
            await answered(neighbour)
            return chat.session_id, refusal, overheard

    session_id, refusal, overheard = asyncio.run(story())
    assert refusal["error"] == code and refusal["message"] and not overheard
    assert user_texts(tracker(assistant, session_id)) == [QUESTION]  # the refused message never reached it


FORGED = {
    "no token": {"token": ...},
    "token of another conversation": {"token": "other"},
    "token a number": {"token": 5},
    "session id a list": {"session_id": ["x"]},
    "session id not hex": {"session_id": "'; DROP TABLE events; --"},
    "unknown session id": {"session_id": "0" * 32},
}


@pytest.mark.parametrize("name", FORGED)
def test_a_message_for_a_conversation_the_page_does_not_own_is_not_delivered(assistant, name):
    fields = dict(FORGED[name])
    if fields.get("token") == "other":
        fields["token"] = new_conversation(assistant)["token"]

    async def story():
        async with WebChat(assistant, "nb") as chat:
            await chat.client.emit("user_uttered", utterance(chat, message="skriv dette inn", **fields))
            refusal = await chat.refused()
            await answered(chat)
            return chat.session_id, refusal

    session_id, refusal = asyncio.run(story())
    assert "not delivered" in refusal["error"]
    assert user_texts(tracker(assistant, session_id)) == [QUESTION]


@pytest.mark.parametrize("payload", ["hei", 42, None, ["hei"], {"message": {"nested": deep(50)}}], ids=repr)
def test_a_payload_of_the_wrong_shape_is_refused_and_the_socket_stays(assistant, payload):
    async def story():
        async with WebChat(assistant, "nb") as chat:
            await chat.client.emit("user_uttered", payload)
            refusal = await chat.refused()
            await answered(chat)
            return refusal

    assert "not delivered" in asyncio.run(story())["error"]


@pytest.mark.parametrize("name", ["emoji", "html and script", "sql-like", "family emoji with zero-width joiners"])
def test_strange_but_valid_text_is_answered_and_the_page_gets_it_back_unchanged(assistant, name):
    text = WEIRD_BUT_VALID[name]

    async def story():
        async with WebChat(assistant, "nb") as chat:
            await chat.says(text)
            return chat.session, await chat.hears()

    session, answer = asyncio.run(story())
    assert answer["text"]
    history = requests.post(f"{assistant.desk_url}/chat/api/history", json=session, timeout=30).json()
    assert history["messages"][0] == {**history["messages"][0], "role": "customer", "text": text}


def test_a_megabyte_message_costs_only_its_own_socket(assistant):
    """socket.io refuses a packet over 1 MB at the transport (python-engineio's limit) before our channel sees it."""

    async def story():
        async with WebChat(assistant, "nb") as neighbour:
            async with WebChat(assistant, "nb") as chat:
                await chat.client.emit("user_uttered", utterance(chat, message="a" * 1_100_000))
                await asyncio.sleep(2)  # the emit only queues it; give the transport time to send and be refused
            await answered(neighbour)
            return chat.session_id

    session_id = asyncio.run(story())
    assert user_texts(tracker(assistant, session_id)) == []


def test_a_flooding_conversation_is_slowed_while_another_page_is_answered(assistant):
    """36 messages at once from three tabs of one conversation: the burst (20) passes, the rest are refused.

    Three tabs, 12 each: python-engineio drops a whole polling request of more than 16 packets ("Too many
    packets in payload") before any channel sees them, so one tab cannot reach our limit over polling.
    """
    session = new_conversation(assistant)

    async def story():
        async with (
            WebChat(assistant, "nb", session) as a,
            WebChat(assistant, "nb", session) as b,
            WebChat(assistant, "nb", session) as c,
            WebChat(assistant, "sv") as neighbour,
        ):
            await asyncio.gather(*(tab.says(f"hei {i}-{n}") for i, tab in enumerate((a, b, c)) for n in range(12)))
            await answered(neighbour)
            await a.hears()  # at least one of the flood was answered before the tracker is read
            return [tab.message_refusals.get_nowait() for tab in (a, b, c) for _ in range(tab.message_refusals.qsize())]

    refusals = asyncio.run(story())
    assert refusals and all(r["error"] == "rate_limited" and r["retry_after"] >= 1 for r in refusals)
    accepted = user_texts(tracker(assistant, session["session_id"]))
    assert 0 < len(accepted) <= 36 - len(refusals)  # a refused message never reaches the conversation


def test_numbers_json_has_not_are_refused_and_the_tracker_stays_json(assistant):
    """NaN and the infinities in customData (as an object or as a JSON string) were stored, and the
    tracker was no longer JSON."""
    bad = [{"amount": float("nan")}, {"amount": float("-inf")}, '{"language": "nb", "amount": 1e999999}']

    async def story():
        async with WebChat(assistant, "nb") as chat:
            refusals = []
            for custom_data in bad:
                await chat.client.emit("user_uttered", utterance(chat, customData=custom_data))
                refusals.append(await chat.message_refused(30))
            await answered(chat)
            return chat.session_id, refusals

    session_id, refusals = asyncio.run(story())
    assert [refusal["error"] for refusal in refusals] == ["invalid_metadata"] * len(bad)
    url = f"{assistant.rasa_url}/conversations/{session_id}/tracker"
    stored = strict_json(requests.get(url, params={"token": assistant.rasa_token}, timeout=30).text)
    assert user_texts(stored) == [QUESTION]
