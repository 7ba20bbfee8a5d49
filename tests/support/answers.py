"""Reading the bot's answers in tests: which response was said, with which values."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from bot import knowledge


def texts(answers: List[Dict[str, Any]]) -> List[str]:
    return [a.get("text") for a in answers]


def said(answer: Dict[str, Any], variation: Dict[str, Any], **values: str) -> bool:
    """True when the bot's ``answer`` is ``variation``'s text, with any text where a {variable} is.

    Variables named in ``values`` must have exactly that value.
    """
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{(\w+)\})?", variation["text"]):
        pattern += re.escape(literal)
        if name:
            pattern += re.escape(values[name]) if name in values else "(.*?)"
    return re.fullmatch(pattern, answer.get("text") or "", flags=re.S) is not None


def payloads(answer: Dict[str, Any]) -> List[str]:
    return [button["payload"] for button in answer.get("buttons") or []]


def from_knowledge(text: str, language: str, on_phone: bool = False) -> bool:
    """True when ``text`` is a knowledge-base answer: a topic's link in chat; on a call, a topic's phone
    text (up to its first figure, which the back-end fills in)."""
    base = knowledge.load()
    if on_phone:
        starts = (base.text(topic, language).phone.split("{")[0] for topic in base.topics)
        return any(start and text.startswith(start) for start in starts)
    return any(base.link(topic, language) in text for topic in base.topics)
