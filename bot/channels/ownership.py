"""Which channel a conversation belongs to, read from its id: each channel has its own namespace of ids.

A conversation belongs to the channel (and, for the web chat, the page) that created it. Before this, the
REST webhook took any sender id, so whoever knew a web chat conversation's id could read what the bot had
collected, answer as the customer, and make the desk's replies go to the REST channel instead of the
customer's page. Every channel now takes only ids of its own namespace:

- web chat: 32 lowercase hex digits. The desk issues them with an HMAC token
  (bot/channels/session_tokens.py), and the web chat channel takes a message only with that token.
- voice: `call-…`. The voice gateway names its calls so (voice/call.py) and is the only client with the
  bearer token of the voice channel.
- REST: every other id. Its clients name their conversations themselves.

Why the id rather than the owning channel recorded with the conversation: the check is a string test
with nothing to read or store per turn, it needs no lock against two channels racing to a conversation's
first turn, and the desk knows where an agent's reply goes from the id alone. A client cannot move an id
into another namespace: a web chat id is refused everywhere without its token, a call id without the
gateway's token.
"""

from __future__ import annotations

from typing import Optional

from bot.channels import session_tokens
from bot.channels.validation import Refusal

WEBCHAT, VOICE, REST = "webchat", "voice", "rest"  # the channels' names (their input_channel)
CALL_PREFIX = "call-"

_OWNED_ELSEWHERE = {
    WEBCHAT: "sender is a web chat conversation's id (32 hex digits): only its own page may write to it",
    VOICE: "sender is a phone call's id (call-...): only the voice gateway may write to it",
    REST: "the voice channel takes phone calls' ids only (call-...)",
}


def channel_of(sender_id: str) -> str:
    """The name of the channel the conversation `sender_id` belongs to."""
    if session_tokens.is_session_id(sender_id):
        return WEBCHAT
    if sender_id.startswith(CALL_PREFIX):
        return VOICE
    return REST


def refusal(channel: str, sender_id: str) -> Optional[Refusal]:
    """Why `channel` may not write to conversation `sender_id`, or None when it is its own."""
    owner = channel_of(sender_id)
    if owner == channel:
        return None
    return Refusal(403, "foreign_conversation", f"{_OWNED_ELSEWHERE[owner]}; choose another sender id")
