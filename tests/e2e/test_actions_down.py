"""With the action server down, every channel tells the customer so in their language (bot/actions_down/),
and the conversation goes on normally once it is back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any, Dict, Iterator, List

import pytest
import requests
import yaml

from bot import secrets
from bot.actions_down.notice import TEXTS
from tests.support.webchat import WebChat

pytestmark = pytest.mark.e2e

NORWEGIAN_PARCEL = "CP710202412NO"
SWEDISH_PARCEL = "RR720505449SE"


@pytest.fixture(scope="module")
def notice() -> Dict[str, Any]:
    """The expected words, from the YAML the Rasa process reads (a wrong file makes these tests fail)."""
    texts = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
    chat = {language: text.format(phone=texts["phone"][language]) for language, text in texts["chat"].items()}
    return {"chat": chat, "voice": texts["voice"], "handoff": texts["voice_handoff"]}


@contextlib.contextmanager
def actions_stopped(assistant: Any) -> Iterator[None]:
    """The action server stopped; restarted and answering afterwards, even when the test failed."""
    from bot import services

    assistant.stop("actions")
    try:
        yield
    finally:
        services.respawn(assistant, "actions")
        services.wait_for(f"http://localhost:{assistant.ports.actions}/health", "action server", assistant.processes["actions"])


def voice_turn(assistant: Any, call: str, message: str, language: str) -> List[Dict[str, Any]]:
    token = assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)]
    body = {"sender": call, "message": message, "metadata": {"caller": "+4712345678", "language": language}}
    answer = requests.post(
        f"{assistant.rasa_url}/webhooks/voice/webhook", data=json.dumps(body),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, timeout=60,
    )
    answer.raise_for_status()
    return answer.json()


def web_chat_turn(assistant: Any, language: str, message: str) -> Dict[str, Any]:
    async def story() -> Dict[str, Any]:
        async with WebChat(assistant, language) as chat:
            await chat.says(message)
            return await chat.hears()

    return asyncio.run(story())


def test_every_channel_says_so_in_the_customers_language_and_the_conversation_goes_on(assistant, customer, notice):
    swedish = customer()  # no hint: Swedish because the conversation is
    assert swedish.says("hej, jag undrar över en sak") and swedish.tracker()["slots"]["language"] == "sv"
    norwegian = customer(language="nb")
    assert norwegian.says("hei")
    swedish_page = customer(language="sv")  # a new conversation: Swedish because the channel says so
    unknown = customer()  # nothing to go by: Norwegian

    with actions_stopped(assistant):
        assert swedish.says(SWEDISH_PARCEL) == [{"recipient_id": swedish.sender, "text": notice["chat"]["sv"]}]
        assert swedish_page.says(SWEDISH_PARCEL) == [{"recipient_id": swedish_page.sender, "text": notice["chat"]["sv"]}]
        assert unknown.says(NORWEGIAN_PARCEL) == [{"recipient_id": unknown.sender, "text": notice["chat"]["nb"]}]
        assert norwegian.says(f"hvor er pakken min {NORWEGIAN_PARCEL}") == [
            {"recipient_id": norwegian.sender, "text": notice["chat"]["nb"]}
        ]
        assert web_chat_turn(assistant, "sv", f"var är mitt paket {SWEDISH_PARCEL}")["text"] == notice["chat"]["sv"]
        call = f"call-{uuid.uuid4().hex}"
        heard = voice_turn(assistant, call, f"hvor er pakken min {NORWEGIAN_PARCEL}", "nb")
        assert heard == [{"recipient_id": call, "text": notice["voice"]["nb"], "handoff": notice["handoff"]}]

    answer = norwegian.says(f"hvor er pakken min {NORWEGIAN_PARCEL}")
    assert answer and NORWEGIAN_PARCEL in answer[0]["text"] and notice["chat"]["nb"] not in [a.get("text") for a in answer]
    events = norwegian.tracker()["events"]
    told = [e for e in events if e["event"] == "bot" and e["text"] == notice["chat"]["nb"]]
    assert len(told) == 1  # told once, and it is in the transcript an agent reads
