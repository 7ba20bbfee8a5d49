"""Rasa's REST channel, with bad input refused clearly instead of crashing or reaching the NLU.

Stock `RestInput` answers a list or an empty body with a 500, a body that is not JSON with an HTML
page, and takes a missing sender as conversation "default" and a 1 MB message as a turn (which holds
the whole server for minutes). Here every request to `/webhooks/rest/webhook` is checked first
(bot/channels/validation.py, limits in channels.yml) and rate limited per sender and per address
(bot/channels/rate_limit.py); what passes is handled by RestInput unchanged, streaming included.
Refusals are JSON `{"error": "<code>", "message": "<text>"}` with 400, 403, 413, 415, 422 or 429
(the last with Retry-After).

The channel is public, so it takes only what a client may claim (bot/channels/ownership.py and
validation.py): a sender id of its own namespace (a web chat conversation's or a phone call's id gets
403 `foreign_conversation`, nothing stored), and metadata without the keys only our servers set. The
body's `input_channel`, which stock RestInput records as given, is ignored: a REST turn is recorded
as "rest", so nobody can make the desk and the KPIs count a phone hand-off that never was.

The channel keeps the name "rest", so the URL and the tracker's `input_channel` stay as they were.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import ownership, validation
from bot.channels.rate_limit import ClientLimits


class ValidatedRestInput(RestInput):
    """`bot.channels.rest.ValidatedRestInput:` in credentials.yml; takes no credentials."""

    def __init__(self) -> None:
        self.limits = ClientLimits()

    @classmethod
    def name(cls) -> Text:
        return ownership.REST

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return validation.public_metadata(request.json.get("metadata"), self.name())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def refuse_bad_turns(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            refusal = self._refusal(request)
            if refusal is None:
                return None
            return response.json(refusal.body(), status=refusal.status, headers=refusal.headers())

        return blueprint

    def _refusal(self, request: Request) -> Optional[validation.Refusal]:
        """Why this request is not a turn, or None; a request that passes has its JSON parsed for RestInput."""
        wait = self.limits.check_ip(request.remote_addr or request.ip)
        if wait:
            return validation.rate_limited(wait)
        body = validation.parse_body(request.body, request.headers.get("content-type", ""))
        if isinstance(body, validation.Refusal):
            return body
        refusal = validation.check_turn(body.get("sender"), body.get("message"), body.get("metadata"))
        if refusal is not None:
            return refusal
        if not isinstance(body.get("input_channel") or "", str):
            return validation.Refusal(422, "invalid_input_channel", "input_channel must be text")
        refusal = ownership.refusal(self.name(), body["sender"])
        if refusal is not None:
            return refusal
        wait = self.limits.check_sender(body["sender"])
        if wait:
            return validation.rate_limited(wait)
        request.parsed_json = body  # RestInput reads request.json: parsed once, here
        return None
