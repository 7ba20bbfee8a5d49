"""The voice gateway's channel: one HTTP round trip per caller turn, answered with what to say.

Why not Rasa's `rest` channel:

1. The output channel must be named "voice", so responses' `channel: voice` variants (short, no
   "skriv …", buttons as spoken menus) are chosen for callers.
2. Rasa's collecting output keeps only the text and buttons of a message; the call needs the
   `handoff` key of the bot's message too, to transfer the call when the bot hands over.
3. The caller's number arrives as metadata and ends up in the transcript the agents see, so only
   the voice gateway may post here: it sends the `voice_gateway_token` secret as a bearer token.

Request: POST /webhooks/voice/webhook, `Authorization: Bearer <token>`,
`{"sender": "<call id>", "message": "...", "metadata": {"caller": "+47…", "language": "nb"}}`.
Answer: a JSON list of messages, each with `text` and optional `buttons` and `handoff`.
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import secrets
from bot.channels.webchat import MAX_MESSAGE_CHARACTERS

KEPT_KEYS = ("text", "buttons", "handoff")
METADATA_KEYS = ("caller", "language", "call_id", "handoff_reason")  # reason: with the call's own hand-over


class VoiceOutput(CollectingOutputChannel):
    """Collects the bot's messages with the keys a call acts on."""

    @classmethod
    def name(cls) -> Text:
        return "voice"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        kept = {key: message[key] for key in KEPT_KEYS if message.get(key)}
        if kept:
            await self._persist_message({"recipient_id": recipient_id, **kept})


class VoiceInput(InputChannel):
    """`bot.channels.voice.VoiceInput:` in credentials.yml; optional `token` (else the generated secret)."""

    def __init__(self, token: Optional[str] = None) -> None:
        self.token = token or secrets.secret(secrets.VOICE_GATEWAY_TOKEN)

    @classmethod
    def name(cls) -> Text:
        return "voice"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls((credentials or {}).get("token"))

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return bool(given) and hmac.compare_digest(given, self.token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("voice_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "the voice gateway's bearer token is missing or wrong"}, status=401)
            body = request.json if isinstance(request.json, dict) else None
            error = _invalid(body)
            if error:
                return response.json({"error": error}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            collector = VoiceOutput()
            await on_new_message(
                UserMessage(
                    body["message"],
                    collector,
                    body["sender"],
                    input_channel=self.name(),
                    metadata={key: str(metadata[key]) for key in METADATA_KEYS if metadata.get(key) is not None},
                )
            )
            return response.json(collector.messages)

        return blueprint


def _invalid(body: Optional[Dict[str, Any]]) -> Optional[str]:
    """Why a request cannot be a caller's turn, or None."""
    if body is None:
        return "the body must be a JSON object with sender, message and metadata"
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 200:
        return "sender must be the call's id: non-empty text of at most 200 characters"
    if not isinstance(message, str) or not message.strip():
        return "message must be non-empty text"
    if len(message) > MAX_MESSAGE_CHARACTERS:
        return f"message may have at most {MAX_MESSAGE_CHARACTERS} characters"
    return None
