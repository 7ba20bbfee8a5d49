"""Spike only: Rasa 3.6.21's socketio channel with the missing `await` on enter_room (RasaHQ/rasa#13027).

With python-socketio >= 5.10 `AsyncServer.enter_room` is a coroutine; Rasa 3.6.21 calls it without
`await`, so with `session_persistence: true` the socket never joins the session room and every
`bot_uttered` (emitted to room=session_id) is lost.  This subclass re-registers `session_request`.
It keeps `name() == "socketio"` so `?output_channel=latest` still finds it.

credentials.yml:
    docs.spikes.fixed_socketio.FixedSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      metadata_key: customData
"""
import inspect
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint


class FixedSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(entered):  # python-socketio >= 5.10
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        sio.on("session_request", session_request, namespace=self.namespace)  # replaces Rasa's handler
        return blueprint
