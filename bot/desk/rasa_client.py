"""What the desk asks of the Rasa server, over Rasa's own HTTP API (the server runs with --enable-api --auth-token).

Rasa stays the one record of a conversation: the desk reads the transcript
from the tracker and writes agents' replies into it, so whatever the customer
and the agent said is where every other part (KPIs, exports, the bot itself
after hand-back) looks for it. See docs/design/handoff-mechanics.md for what
was verified about each call.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

from bot.channels import ownership


class RasaUnavailable(Exception):
    """Rasa did not answer or refused; the caller tells the agent and keeps what it had."""


class RasaClient:
    def __init__(self, url: str, token: str, session: aiohttp.ClientSession) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.session = session

    async def tracker(self, sender_id: str) -> Dict[str, Any]:
        return await self._call("GET", f"/conversations/{quote(sender_id, safe='')}/tracker")

    async def say(self, sender_id: str, text: str, metadata: Dict[str, Any], resume: bool = False) -> None:
        """Put a message into the conversation and onto the customer's open page, in one request.

        `execute_side_effects` sends the bot event to the conversation's own channel, named by its id
        (bot/channels/ownership.py: the web chat for a page's conversation), and the same request records
        it. Not Rasa's "latest": that is whichever channel last wrote to the conversation, and a reply sent
        there would be recorded as sent while never reaching the customer's page. With `resume` the bot
        is back in the same request, so the customer never sees a hand-back without the bot listening again.
        """
        events: List[Dict[str, Any]] = [{"event": "bot", "text": text, "metadata": metadata, "timestamp": time.time()}]
        if resume:
            # The bot was paused right after action_handoff, before it could listen; without an
            # action_listen the customer's next message would not follow one, and no rule would match.
            events.insert(0, {"event": "resume", "timestamp": time.time()})
            events.append({"event": "action", "name": "action_listen", "timestamp": time.time()})
        await self._call(
            "POST",
            f"/conversations/{quote(sender_id, safe='')}/tracker/events",
            params={"output_channel": ownership.channel_of(sender_id), "execute_side_effects": "true"},
            json=events,
        )

    async def _call(self, method: str, path: str, params: Optional[Dict[str, str]] = None, **kwargs: Any) -> Any:
        try:
            async with self.session.request(
                method, self.url + path, params={**(params or {}), "token": self.token}, **kwargs
            ) as response:
                if response.status >= 400:
                    raise RasaUnavailable(f"Rasa answered {response.status} to {method} {path}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(f"Rasa did not answer {method} {path}: {error}") from error
