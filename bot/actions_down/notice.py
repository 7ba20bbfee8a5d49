"""What the customer is told when the action server could not answer: texts.yml, in their language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from bot.language.switching import conversation_language

TEXTS = Path(__file__).with_name("texts.yml")
VOICE_CHANNEL = "voice"  # bot/channels/voice.py's VoiceOutput.name()


@lru_cache(maxsize=1)
def texts() -> Dict[str, Any]:
    return yaml.safe_load(TEXTS.read_text(encoding="utf-8"))


def language(
    slot: Optional[str], detection: Optional[Dict[str, Any]], metadata: Optional[Dict[str, Any]], channel: str = ""
) -> str:
    """The language the action would have kept: the conversation's, a clear switch, the channel's hint, else Norwegian.

    The `language` slot is kept by a custom action (actions/language.py), which could not run
    either, so the same rule (bot/language/switching.py) is applied here to the latest message.
    """
    return conversation_language(slot, detection, metadata, call=channel == VOICE_CHANNEL)


def message(language: str, channel: str) -> Dict[str, Any]:
    """The bot message for one channel: a caller hears the short variant and is handed to a person."""
    if channel == VOICE_CHANNEL:
        return {"text": texts()["voice"][language], "handoff": texts()["voice_handoff"]}
    return {"text": texts()["chat"][language].format(phone=texts()["phone"][language])}
