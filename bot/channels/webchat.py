"""The web chat's socket.io channel: Rasa's built-in `socketio` channel, fixed and locked to its owner.

Why a subclass exists (docs/design/handoff-mechanics.md, docs/design/desk-api.md):

1. Rasa 3.6.21 calls `AsyncServer.enter_room` without `await`. Since python-socketio 5.10 that is a
   coroutine, so with `session_persistence: true` the socket never joins its session's room and no
   `bot_uttered` reaches the page (https://github.com/RasaHQ/rasa/issues/13027, still open).
2. Rasa lets any socket join any conversation's room by naming its id, and write into it. Here every
   `session_request` and `user_uttered` must carry the token the desk issued with the id
   (`bot/channels/session_tokens.py`); without it nothing is joined and nothing is said.
3. Rasa's output drops everything of a text message but its text. The page needs to know a reply is an
   agent's (`agent`: first name), that the hand-off changed (`handoff`) and when to ask for the survey
   (`survey`), so those keys of the bot event's metadata are forwarded.
4. The page sends the customer's metadata as `customData` (e.g. `{"language": "sv"}`).

The channel's name is "webchat": what the tracker records as `input_channel` and what `output_channel=`
matches when the desk pushes an agent's reply. Pushes reach only sockets of the same Rasa process.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot import secrets
from bot.channels import session_tokens

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARACTERS = 4000  # a long complaint fits; a pasted log file does not reach the NLU
FORWARDED_METADATA = ("agent", "handoff", "survey")


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, plus the metadata keys the page acts on."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        nested = kwargs.get("metadata") if isinstance(kwargs.get("metadata"), dict) else {}
        extra = {key: value for key in FORWARDED_METADATA if (value := kwargs.get(key, nested.get(key))) is not None}
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, **extra})


class WebChatInput(SocketIOInput):
    """socket.io for the web chat; credentials as for Rasa's `socketio` channel (session_persistence must be true)."""

    def __init__(self, *args: Any, secret: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.secret = secret or secrets.secret(secrets.WEBCHAT_SECRET)

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = {"metadata_key": "customData", "session_persistence": True, **(credentials or {})}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials["session_persistence"],
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials["metadata_key"],
        )

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio is not None else super().get_output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio, namespace = self.sio, self.namespace

        async def refuse(sid: Text, error: str) -> None:
            await sio.emit("session_refused", {"error": error}, room=sid, namespace=namespace)

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            if not session_tokens.is_valid(self.secret, data.get("session_id"), data.get("token")):
                await refuse(sid, "unknown conversation: ask the desk for a new one (POST /chat/api/sessions)")
                return
            await sio.enter_room(sid, data["session_id"], namespace=namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=namespace)

        async def handle_message(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id, text = data.get("session_id"), data.get("message")
            if not session_tokens.is_valid(self.secret, session_id, data.get("token")):
                await refuse(sid, "unknown conversation: the message was not delivered")
                return
            if not isinstance(text, str) or not text.strip():
                await refuse(sid, "a message must be non-empty text")
                return
            if len(text) > MAX_MESSAGE_CHARACTERS:
                await refuse(sid, f"a message may have at most {MAX_MESSAGE_CHARACTERS} characters")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                text,
                WebChatOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        # Replace Rasa's handlers of the same events (see the module docstring).
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return blueprint
