"""A customer's browser tab without the browser: the web chat's protocol over python-socketio.

Used where the tests are about the conversation rather than the page; the page itself
is tested in a real chromium (tests/e2e/test_web_chat_browser.py).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import requests
import socketio

TIMEOUT = 60.0  # seconds to wait for an answer: the bot may call the action server and the back-end


def new_conversation(assistant: Any) -> Dict[str, str]:
    """What the page gets from the desk first: a conversation id and its token."""
    response = requests.post(f"{assistant.desk_url}/chat/api/sessions", timeout=30)
    response.raise_for_status()
    return response.json()


class WebChat:
    """One page's socket; use inside a running event loop (`async with WebChat(...) as chat`)."""

    def __init__(self, assistant: Any, language: str = "nb", session: Optional[Dict[str, str]] = None) -> None:
        self.url = assistant.rasa_url
        self.session = session or new_conversation(assistant)
        self.session_id = self.session["session_id"]
        self.language = language
        self.frames: asyncio.Queue = asyncio.Queue()
        self.refusals: asyncio.Queue = asyncio.Queue()
        # Polling only: python-engineio's websocket client needs a newer aiohttp than Rasa's. Browsers use websockets.
        self.client = socketio.AsyncClient()
        self.client.on("bot_uttered", self.frames.put_nowait)
        self.client.on("session_refused", self._refused)
        self.message_refusals: asyncio.Queue = asyncio.Queue()  # a message the channel did not take
        self.client.on("message_refused", self.message_refusals.put_nowait)
        self.confirmed = False

    def _refused(self, refusal: Dict[str, Any]) -> None:
        self.refusals.put_nowait(refusal)
        if hasattr(self, "_answer") and not self._answer.done():
            self._answer.set_result(False)

    async def __aenter__(self) -> "WebChat":
        """Connects and asks to join the conversation; `confirmed` says whether the channel accepted."""
        self._answer = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", lambda _: self._answer.done() or self._answer.set_result(True))
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"])
        await self.client.emit("session_request", {"session_id": self.session_id, "token": self.session["token"]})
        self.confirmed = await asyncio.wait_for(self._answer, TIMEOUT)
        return self

    async def refused(self, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return await asyncio.wait_for(self.refusals.get(), timeout)

    async def message_refused(self, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return await asyncio.wait_for(self.message_refusals.get(), timeout)

    async def __aexit__(self, *exc: object) -> None:
        # A graceful disconnect waits for the long-poll in flight to return (up to the server's 25 s ping
        # interval); the server gets the close packet either way, like a closed browser tab.
        await self.client.eio.disconnect(abort=True)

    async def says(self, text: str) -> None:
        message = {
            "message": text,
            "session_id": self.session_id,
            "token": self.session["token"],
            "customData": {"language": self.language},
        }
        await self.client.emit("user_uttered", message)

    async def hears(self, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return await asyncio.wait_for(self.frames.get(), timeout)

    async def hears_until(self, predicate: Any, timeout: float = TIMEOUT) -> List[Dict[str, Any]]:
        """Every frame up to and including the first that `predicate` accepts."""
        frames = []
        while True:
            frames.append(await self.hears(timeout))
            if predicate(frames[-1]):
                return frames

    async def hears_nothing(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.frames.get(), seconds)
        except asyncio.TimeoutError:
            return True
        return False


def handed_over(assistant: Any, language: str = "nb") -> Dict[str, str]:
    """A web-chat conversation queued for a person; returns the page's session."""

    async def story() -> Dict[str, str]:
        async with WebChat(assistant, language) as chat:
            await chat.says("kan jeg snakke med en person" if language == "nb" else "kan jag prata med en person")
            await chat.hears_until(lambda frame: frame.get("handoff") == "waiting")
            return chat.session

    return asyncio.run(story())
