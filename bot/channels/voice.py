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
Answer: a JSON list of messages, each with `text` and optional `buttons` and `handoff`; a turn that is
not valid (bot/channels/validation.py) or comes too fast for its call gets the REST channel's refusals
(`{"error": "<code>", "message": "..."}`, 400/413/415/422/429). Calls are limited per call id only: all
of them come from the gateway's one address. The channel takes phone calls' ids only (`call-…`,
bot/channels/ownership.py): a web chat conversation or a REST client's conversation gets 403
`foreign_conversation` and nothing is stored, so a call never writes into someone else's conversation.
The gateway is the one client that may set the server-only metadata (`handoff_reason`, `caller`, `call_id`).
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import secrets
from bot.channels import ownership, validation
from bot.channels.rate_limit import ClientLimits

KEPT_KEYS = ("text", "buttons", "handoff")
METADATA_KEYS = ("caller", "language", "call_id", "handoff_reason")  # reason: with the call's own hand-over


class VoiceOutput(CollectingOutputChannel):
    """Collects the bot's messages with the keys a call acts on."""

    @classmethod
    def name(cls) -> Text:
        return ownership.VOICE

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        kept = {key: message[key] for key in KEPT_KEYS if message.get(key)}
        if kept:
            await self._persist_message({"recipient_id": recipient_id, **kept})


class VoiceInput(InputChannel):
    """`bot.channels.voice.VoiceInput:` in credentials.yml; optional `token` (else the generated secret)."""

    def __init__(self, token: Optional[str] = None) -> None:
        self.token = token or secrets.secret(secrets.VOICE_GATEWAY_TOKEN)
        self.limits = ClientLimits()

    @classmethod
    def name(cls) -> Text:
        return ownership.VOICE

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
                refusal = validation.Refusal(401, "unauthorised", "the voice gateway's bearer token is missing or wrong")
                return response.json(refusal.body(), status=refusal.status)
            body = validation.parse_body(request.body, request.headers.get("content-type", ""))
            refusal = body if isinstance(body, validation.Refusal) else self._refusal(body)
            if refusal is not None:
                return response.json(refusal.body(), status=refusal.status, headers=refusal.headers())
            metadata = body.get("metadata") or {}
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

    def _refusal(self, body: Dict[str, Any]) -> Optional[validation.Refusal]:
        refusal = validation.check_turn(body.get("sender"), body.get("message"), body.get("metadata"))
        refusal = refusal or ownership.refusal(self.name(), body["sender"])
        wait = 0 if refusal else self.limits.check_sender(body["sender"])
        return refusal or (validation.rate_limited(wait) if wait else None)

