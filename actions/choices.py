"""Recognise an answer to a closed question from its button payload or the customer's own words."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk.executor import CollectingDispatcher

_CHOICES_FILE = Path(__file__).with_name("choices.yml")


@lru_cache(maxsize=1)
def _choices() -> Dict[str, Dict[str, List[str]]]:
    return yaml.safe_load(_CHOICES_FILE.read_text(encoding="utf-8"))


def padded_words(text: str) -> str:
    """Lower-case words between single spaces, padded, so `f" {phrase} " in padded_words(text)` matches whole words."""
    return " " + " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split()) + " "


def match_choice(question: str, answer: str) -> Optional[str]:
    """The option named by a button payload, or whose longest word occurs in ``answer``; None if none or two fit equally."""
    if answer in _choices()[question]:
        return answer
    text = padded_words(answer)
    best: Dict[str, int] = {}
    for option, words in _choices()[question].items():
        hits = [len(word) for word in words if f" {word} " in text]
        if hits:
            best[option] = max(hits)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def validate_choice(question: str, answer: Any, dispatcher: CollectingDispatcher, not_understood: str) -> Dict[str, Any]:
    """Slot update for a closed question; tells the customer the options when the answer fits none."""
    choice = match_choice(question, str(answer or ""))
    if choice is None:
        dispatcher.utter_message(response=not_understood)
    return {question: choice}
