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
5. Rasa takes any payload as a turn. Here a message is checked like on every channel
   (bot/channels/validation.py) and rate limited per conversation and per address
   (bot/channels/rate_limit.py); a refused one gets `message_refused {"error", "message"}` on that
   socket only. A wrong token still gets `session_refused`, which makes the page start afresh; a
   refused message must not, so it has its own event. Metadata keys only our servers set
   (`validation.SERVER_ONLY_METADATA`, e.g. `handoff_reason`) are dropped from `customData`.

6. Several Rasa processes (the scaled topology, bot/cluster/): the desk pushes an agent's reply through
   whichever process nginx picks, but the customer's socket lives in one of them. With
   `WEBCHAT_MESSAGE_QUEUE` set to a Redis URL, every process's emits go through Redis pub/sub
   (python-socketio's `AsyncRedisManager`), so the process holding the socket delivers them. Unset (one
   process, `kundesenter run`), emits stay in the process.

The channel's name is "webchat": what the tracker records as `input_channel` and what `output_channel=`
matches when the desk pushes an agent's reply.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from bot import secrets
from bot.channels import ownership, session_tokens, validation
from bot.channels.rate_limit import ClientLimits

logger = logging.getLogger(__name__)

FORWARDED_METADATA = ("agent", "handoff", "survey")
MESSAGE_QUEUE_VARIABLE = "WEBCHAT_MESSAGE_QUEUE"  # redis://[:password@]host:port/db, shared by the Rasa processes
MESSAGE_QUEUE_CHANNEL = "kundesenter-webchat"


def share_emits_through_redis(sio: AsyncServer, url: str, blueprint: Blueprint) -> None:
    """Swap the server's in-process client manager for one that publishes every emit on Redis.

    Rasa builds the `AsyncServer` inside its blueprint, so the manager cannot be passed to the
    constructor; it is replaced before any socket connects. python-socketio would start the manager's
    Redis listener on the first connection, and an emit published before that listener has subscribed
    is lost (the first `session_confirm` of a process); so it is started with the server instead.
    """
    manager = AsyncRedisManager(url, channel=MESSAGE_QUEUE_CHANNEL)
    manager.set_server(sio)
    sio.manager = manager

    async def start_listening(*_: Any) -> None:
        sio.manager_initialized = True
        manager.initialize()

    blueprint.listener("after_server_start")(start_listening)


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
        self.limits = ClientLimits()

    @classmethod
    def name(cls) -> Text:
        return ownership.WEBCHAT

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
        message_queue = os.environ.get(MESSAGE_QUEUE_VARIABLE)
        if message_queue:
            share_emits_through_redis(sio, message_queue, blueprint)

        async def refuse(sid: Text, error: str) -> None:
            await sio.emit("session_refused", {"error": error}, room=sid, namespace=namespace)

        async def refuse_message(sid: Text, refusal: validation.Refusal) -> None:
            await sio.emit("message_refused", refusal.body(), room=sid, namespace=namespace)

        def address(sid: Text) -> Optional[str]:
            request = (sio.get_environ(sid, namespace=namespace) or {}).get("sanic.request")
            return (request.remote_addr or request.ip) if request is not None else None

        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            if not session_tokens.is_valid(self.secret, data.get("session_id"), data.get("token")):
                await refuse(sid, "unknown conversation: ask the desk for a new one (POST /chat/api/sessions)")
                return
            await sio.enter_room(sid, data["session_id"], namespace=namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=namespace)

        async def handle_message(sid: Text, data: Optional[Dict] = None) -> None:  # None: emitted without data
            data = data if isinstance(data, dict) else {}
            session_id, text = data.get("session_id"), data.get("message")
            if not session_tokens.is_valid(self.secret, session_id, data.get("token")):
                await refuse(sid, "unknown conversation: the message was not delivered")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):  # Rasa's own widget sends it as a JSON string
                try:
                    metadata = validation.loads(metadata)
                except (ValueError, RecursionError):
                    pass  # refused below as not an object
            refusal = validation.check_turn(session_id, text, metadata)
            wait = 0 if refusal else self.limits.check_ip(address(sid)) or self.limits.check_sender(session_id)
            if refusal or wait:
                await refuse_message(sid, refusal or validation.rate_limited(wait))
                return
            message = UserMessage(
                text,
                WebChatOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=validation.public_metadata(metadata, self.name()),
            )
            await on_new_message(message)

        # Replace Rasa's handlers of the same events (see the module docstring).
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return blueprint
