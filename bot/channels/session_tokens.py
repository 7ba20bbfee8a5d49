"""Web-chat conversation ids and the tokens that prove a page owns one.

The id is the Rasa sender id, so it appears in agents' screens and logs; the
token is an HMAC of it under `webchat_secret`, known only to the page that was
given it. The desk issues both; the Rasa channel and the desk's customer API
check the token, so a guessed or leaked id reads and writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Optional, Tuple

_SESSION_ID = re.compile(r"[0-9a-f]{32}")


def new_session(secret: str) -> Tuple[str, str]:
    """A fresh (session_id, token) pair."""
    session_id = secrets.token_hex(16)
    return session_id, token_for(secret, session_id)


def token_for(secret: str, session_id: str) -> str:
    return hmac.new(secret.encode(), session_id.encode(), hashlib.sha256).hexdigest()


def is_session_id(value: object) -> bool:
    """True for an id of the form the desk issues (whether or not it issued this one)."""
    return isinstance(value, str) and _SESSION_ID.fullmatch(value) is not None


def is_valid(secret: str, session_id: Optional[object], token: Optional[object]) -> bool:
    """True only for a well-formed id with its own token (compared in constant time)."""
    if not is_session_id(session_id) or not isinstance(token, str):
        return False
    return hmac.compare_digest(token_for(secret, session_id), token)
