"""Customers on the web chat: socket.io to Rasa through our channel (bot/channels/webchat.py)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, Optional

import pytest
import requests
import socketio

from tests.support.answers import said

pytestmark = pytest.mark.e2e

TIMEOUT = 60.0  # seconds to wait for an answer: the bot may call the action server and the back-end
CHANNEL = "webchat"  # WebChatInput.name(): the tracker's input_channel and the agent desk's output_channel


class WebChat:
    """A customer's browser tab, speaking the page's protocol; use inside a running event loop."""

    def __init__(self, assistant: Any, metadata: Optional[Dict[str, Any]] = None) -> None:
        self.url = f"http://localhost:{assistant.ports.rasa}"
        self.session_id = f"test-{uuid.uuid4().hex}"
        self.metadata = metadata or {}
        self.answers: asyncio.Queue = asyncio.Queue()
        # Polling only: python-engineio's websocket client needs a newer aiohttp than Rasa's. Browsers use websockets.
        self.client = socketio.AsyncClient()
        self.client.on("bot_uttered", self.answers.put_nowait)

    async def __aenter__(self) -> "WebChat":
        confirmed = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", confirmed.set_result)
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"])
        await self.client.emit("session_request", {"session_id": self.session_id})
        assert await asyncio.wait_for(confirmed, TIMEOUT) == self.session_id
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()

    async def says(self, text: str) -> None:
        message = {"message": text, "session_id": self.session_id, "customData": self.metadata}
        await self.client.emit("user_uttered", message)

    async def hears(self) -> Dict[str, Any]:
        return await asyncio.wait_for(self.answers.get(), TIMEOUT)


def conversation(assistant: Any, session_id: str) -> str:
    return f"http://localhost:{assistant.ports.rasa}/conversations/{session_id}"


def test_swedish_customer_tracks_a_parcel_over_the_web_chat(assistant, responses):
    number = "RR720505449SE"

    async def story():
        async with WebChat(assistant, metadata={"language": "sv"}) as chat:
            await chat.says(f"hej, var är mitt paket? {number}")
            return chat.session_id, await chat.hears()

    session_id, answer = asyncio.run(story())
    assert said(answer, responses["utter_shipment_ready_for_pickup"]["sv"], tracking_number=number)
    assert "ICA Kvantum Liljeholmen" in answer["text"]
    tracker = requests.get(f"{conversation(assistant, session_id)}/tracker", timeout=30).json()
    assert tracker["latest_input_channel"] == CHANNEL
    assert tracker["latest_message"]["metadata"]["language"] == "sv"  # the page's customData reached the tracker


def test_agent_message_reaches_the_customers_open_web_chat_and_the_transcript(assistant):
    kari = {"event": "bot", "text": "Hei, jeg heter Kari", "metadata": {"agent": "Kari"}}

    async def story():
        async with WebChat(assistant, metadata={"language": "nb"}) as chat:
            await chat.says("hei")
            await chat.hears()  # the bot's greeting
            pushed = await asyncio.to_thread(
                requests.post,
                f"{conversation(assistant, chat.session_id)}/tracker/events",
                params={"output_channel": CHANNEL, "execute_side_effects": "true"},
                json=kari,
                timeout=30,
            )
            pushed.raise_for_status()
            return chat.session_id, await chat.hears()

    session_id, answer = asyncio.run(story())
    assert answer == {"text": "Hei, jeg heter Kari"}
    events = requests.get(f"{conversation(assistant, session_id)}/tracker", timeout=30).json()["events"]
    assert any(e["event"] == "bot" and e["text"] == kari["text"] and e["metadata"]["agent"] == "Kari" for e in events)
