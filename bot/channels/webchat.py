"""The web chat's socket.io channel: Rasa's built-in `socketio` channel with two fixes.

Why a subclass exists (docs/design/handoff-mechanics.md):

1. Rasa 3.6.21 calls `AsyncServer.enter_room` without `await`. Since python-socketio 5.10 that is a
   coroutine, so with `session_persistence: true` the socket never joins its session's room and no
   `bot_uttered` reaches the page (https://github.com/RasaHQ/rasa/issues/13027, still open).
   `blueprint` re-registers `session_request` with the `await`.
2. The page sends the customer's metadata as `customData` (e.g. `{"language": "sv"}`), so that is
   the default `metadata_key` here; Rasa's default is `metadata`.

The channel's name is "webchat". It is what the tracker records as `input_channel` and what
`output_channel=` matches, so the agent desk pushes a message to the customer's open socket with
`POST /conversations/{id}/tracker/events?output_channel=webchat&execute_side_effects=true`
(`output_channel=latest` works too while the customer's latest message came through the web chat).
The socket.io endpoint stays at `/socket.io`; only the blueprint's health route moves to
`/webhooks/webchat/`. The output side is Rasa's `SocketIOOutput`, whose name stays "socketio"
(that name only matters for `channel:` conditions on domain responses, which we do not use).
Pushes reach only sockets of the same Rasa process: run a single Rasa server.
"""

from __future__ import annotations

import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint


class WebChatInput(SocketIOInput):
    """socket.io for the web chat; credentials as for Rasa's `socketio` channel."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return super().from_credentials({"metadata_key": "customData", **(credentials or {})})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        sio.on("session_request", session_request, namespace=self.namespace)  # replaces Rasa's handler
        return blueprint
