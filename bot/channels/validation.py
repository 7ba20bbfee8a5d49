"""What a customer's turn must look like, and the clear refusal every channel gives when it does not.

The REST, web chat and voice channels all ask `check_turn`, so the same input gets the same answer
whichever way it came. Each refusal has a stable `code` for programs and a `message` for the developer
integrating with us (in English, like the rest of the API); pages show their own words in Norwegian or
Swedish (bot/desk/texts.yml), picked by the code.

Refused rather than cleaned up: NUL and other control characters (PostgreSQL cannot store NUL in text,
and they have no place in a chat), lone UTF-16 surrogates (they cannot be written as UTF-8),
metadata nested deeper than anything a channel sends, and NaN, Infinity and numbers too large for a
float (1e999999): Python's json module reads them, but the tracker written with them is not JSON
any more, and every later read of the conversation fails.

Dropped rather than refused: metadata keys only our own servers set (`SERVER_ONLY_METADATA`). The public
channels (REST, web chat) remove them, so a client cannot pass itself off as a phone call or choose why
it was handed over; the voice channel, which only the gateway can call, keeps them.
"""

from __future__ import annotations

import json
import logging
import math
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

from bot.channels.settings import ChannelSettings, load

ALLOWED_CONTROLS = frozenset("\t\n\r")  # line breaks and tabs in a pasted address are fine
JSON_MEDIA_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded")  # curl -d sends the last
# Read by the server from a customer's turn, but set only by our own voice gateway: `handoff_reason`
# (actions/handoff.py counts it in the KPIs), the caller's number and the call id; `input_channel`
# decides the hand-off's channel when it is taken from a body.
SERVER_ONLY_METADATA = ("handoff_reason", "caller", "call_id", "input_channel")
NOT_FINITE = "numbers must be finite: NaN, Infinity and numbers beyond a float's range (1e999999) are not accepted"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """Why a request is not a turn: HTTP status, stable code, clear text."""

    status: int
    code: str
    message: str
    retry_after: int = 0  # seconds, for a rate-limited turn

    def body(self) -> Dict[str, Any]:
        extra = {"retry_after": self.retry_after} if self.retry_after else {}
        return {"error": self.code, "message": self.message, **extra}

    def headers(self) -> Dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def parse_body(
    raw: bytes, content_type: str, settings: Optional[ChannelSettings] = None
) -> Union[Dict[str, Any], Refusal]:
    """The request's JSON object, or why it is not one."""
    settings = settings or load()
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and media_type not in JSON_MEDIA_TYPES and not media_type.endswith("+json"):
        return Refusal(415, "unsupported_media_type", f"send JSON (Content-Type: application/json), not {media_type}")
    if len(raw) > settings.max_body_bytes:
        return Refusal(413, "body_too_large", f"the body may have at most {settings.max_body_bytes} bytes")
    if not raw.strip():
        return Refusal(400, "invalid_body", 'the body is empty: send a JSON object {"sender": "...", "message": "..."}')
    try:
        body = loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Refusal(400, "invalid_body", "the body is not valid UTF-8")
    except NotFinite:
        return Refusal(400, "invalid_body", f"the body is not valid JSON: {NOT_FINITE}")
    except (ValueError, RecursionError):
        return Refusal(400, "invalid_body", "the body is not valid JSON")
    if not isinstance(body, dict):
        return Refusal(400, "invalid_body", 'the body must be a JSON object: {"sender": "...", "message": "..."}')
    return body


class NotFinite(ValueError):
    """NaN, Infinity or a number a float cannot hold: readable by Python, not writable as JSON."""


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise NotFinite(text)
    return number


def _no_constant(name: str) -> float:
    raise NotFinite(name)


def loads(text: str) -> Any:
    """`json.loads` as JSON is defined: NaN, Infinity and 1e999999 raise NotFinite."""
    return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)


def check_turn(
    sender: Any, message: Any, metadata: Any = None, settings: Optional[ChannelSettings] = None
) -> Optional[Refusal]:
    """Why (sender, message, metadata) cannot be a customer's turn, or None when it can."""
    settings = settings or load()
    if not isinstance(sender, str) or not sender.strip():
        return Refusal(422, "invalid_sender", "sender must be the conversation's id: non-empty text")
    if len(sender) > settings.max_sender_characters:
        return Refusal(422, "invalid_sender", f"sender may have at most {settings.max_sender_characters} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in sender):
        return Refusal(422, "invalid_sender", "sender must not contain control or invisible formatting characters")
    if not isinstance(message, str):
        return Refusal(422, "invalid_message", "message must be text")
    if not message.strip():
        return Refusal(422, "empty_message", "message must not be empty")
    if len(message) > settings.max_message_characters:
        return Refusal(
            413, "message_too_long", f"message may have at most {settings.max_message_characters} characters"
        )
    if has_control_characters(message):
        return Refusal(422, "invalid_message", "message must not contain control characters other than line breaks")
    if metadata is not None and not isinstance(metadata, dict):
        return Refusal(422, "invalid_metadata", 'metadata must be a JSON object, e.g. {"language": "sv"}')
    if _depth(metadata) > settings.max_metadata_depth:
        return Refusal(422, "invalid_metadata", f"metadata may be nested at most {settings.max_metadata_depth} deep")
    if not _finite(metadata):  # a socket.io payload arrives parsed by Python's lenient json
        return Refusal(422, "invalid_metadata", f"metadata {NOT_FINITE}")
    return None


def public_metadata(metadata: Optional[Dict[str, Any]], channel: str) -> Dict[str, Any]:
    """A public channel's metadata without the keys only our servers may set (logged by name, not value)."""
    metadata = metadata or {}
    dropped = [key for key in SERVER_ONLY_METADATA if key in metadata]
    if dropped:
        logger.warning("%s turn: dropped server-only metadata %s", channel, ", ".join(dropped))
    return {key: value for key, value in metadata.items() if key not in SERVER_ONLY_METADATA}


def has_control_characters(text: str) -> bool:
    """True for NUL and other control characters but line breaks and tabs, and for lone surrogates."""
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in ALLOWED_CONTROLS for c in text)


def _depth(value: Any, limit: int = 64) -> int:
    """How deeply `value` nests objects and lists (counting stops past `limit`, so this never recurses far)."""
    if limit <= 0 or not isinstance(value, (dict, list)):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def _finite(value: Any) -> bool:
    """False when `value` holds NaN or an infinity anywhere (called after the depth check: never recurses far)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(child) for child in value.values())
    if isinstance(value, list):
        return all(_finite(child) for child in value)
    return True


def rate_limited(seconds: int) -> Refusal:
    """The refusal of a turn that came too fast; the client may send it again after `seconds`."""
    return Refusal(429, "rate_limited", f"too many messages: wait {seconds} s and send it again", seconds)
