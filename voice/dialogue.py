"""The call's side of Rasa's `voice` channel (bot/channels/voice.py): a caller's turn in, what to say out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import aiohttp

from bot import secrets


@dataclass(frozen=True)
class Option:
    title: str
    payload: str


@dataclass(frozen=True)
class Prompt:
    """One message of the bot: its text, the options a caller can say or press, and a hand-over mark."""

    text: str
    options: Tuple[Option, ...] = field(default_factory=tuple)
    handoff: Optional[str] = None


class DialogueUnavailable(RuntimeError):
    """Rasa could not be reached or refused the turn; the call apologises instead of going silent."""


class RasaDialogue:
    def __init__(self, rasa_url: str, token: Optional[str] = None, timeout_s: float = 30.0) -> None:
        self.url = f"{rasa_url.rstrip('/')}/webhooks/voice/webhook"
        self.token = token or secrets.secret(secrets.VOICE_GATEWAY_TOKEN)
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: Optional[aiohttp.ClientSession] = None

    async def say(self, call_id: str, text: str, metadata: Dict[str, Any]) -> List[Prompt]:
        """The bot's answer to one caller turn (a transcript, keypad digits or a button payload)."""
        body = {"sender": call_id, "message": text, "metadata": metadata}
        try:
            async with self._client().post(self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}) as answer:
                if answer.status != 200:
                    raise DialogueUnavailable(f"Rasa's voice channel answered {answer.status}: {await answer.text()}")
                messages = await answer.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DialogueUnavailable(f"Rasa's voice channel at {self.url} is unreachable: {error}") from error
        return [_prompt(message) for message in messages]

    def _client(self) -> aiohttp.ClientSession:
        """One connection pool per call: turns follow each other within seconds."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _prompt(message: Dict[str, Any]) -> Prompt:
    options = tuple(Option(str(b.get("title", "")), str(b.get("payload", ""))) for b in message.get("buttons") or ())
    return Prompt(str(message.get("text") or ""), options, message.get("handoff"))
