"""Pieces of answers that Python composes (button titles, dates in a summary) read from the domain.

The domain holds every word the customer sees in both languages; when an answer
is built from parts, the parts are responses too (`utter_text_*`), rendered here.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker

DEFAULT_LANGUAGE = "nb"
# The carrier's country for a customer's language: whose hours, prices and holding times apply.
COUNTRY = {"nb": "NO", "sv": "SE"}


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or DEFAULT_LANGUAGE


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(domain: Dict[str, Any], response: str, language: str, **values: Any) -> str:
    """The text of ``response`` in ``language`` with ``{name}`` filled from ``values``."""
    for variation in domain["responses"][response]:
        conditions = variation.get("condition") or []
        if any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            return variation["text"].format_map(_Blank(values))
    raise KeyError(f"{response} has no {language} variation")
