"""Is the customer angry or abusive? Then empathy and a person come before any form.

A word list rather than an intent: anger comes on top of what the customer wants
("the parcel is broken AGAIN, f***"), so the complaint intent still decides the
flow and this only decides the tone and the offer of a human.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

from actions.choices import padded_words

_LEXICON = Path(__file__).with_name("anger.yml")


@lru_cache(maxsize=1)
def _lexicon() -> Dict[str, List[str]]:
    data = yaml.safe_load(_LEXICON.read_text(encoding="utf-8"))
    return {strength: [w for words in by_language.values() for w in words] for strength, by_language in data.items()}


def _count(words: List[str], text: str) -> int:
    return sum(1 for word in words if f" {word} " in text)


def is_angry(message: str) -> bool:
    text = padded_words(message)
    if _count(_lexicon()["strong"], text):
        return True
    letters = [c for c in message if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    signs = _count(_lexicon()["weak"], text) + ("!!" in message) + shouting
    return signs >= 2
