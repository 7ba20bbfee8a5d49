"""When a conversation changes language.

A conversation keeps its language through short or ambiguous messages ("ok",
"ja", a tracking number) and changes only when a message is clearly in the
other language, so a Swedish customer who types "ja" is not answered in Norwegian.
A phone call keeps the language it was placed in: its recogniser and its voice are that
language's, and "nummer tre" heard by the Swedish recogniser is Swedish whatever it looks like.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from bot.language.detector import LANGUAGES


def conversation_language(
    current: Optional[str],
    detection: Optional[Dict[str, Any]],
    metadata: Optional[Dict[str, Any]],
    call: bool = False,
) -> str:
    """The language the bot should answer in after the latest message.

    ``detection`` is the NLU's ``language_detection``; ``metadata`` the channel's
    (a Swedish web page or phone number may say ``{"language": "sv"}``); ``call``: the message
    came from the voice channel, whose ``language`` is the call's.
    """
    hinted = (metadata or {}).get("language")
    if call and hinted in LANGUAGES:
        return hinted
    detected = (detection or {}).get("language")
    if detected in LANGUAGES and (detection or {}).get("clear") and detected != current:
        return detected
    if current in LANGUAGES:
        return current
    if hinted in LANGUAGES:
        return hinted
    return detected if detected in LANGUAGES else LANGUAGES[0]
