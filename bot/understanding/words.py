"""The reader's vocabulary (vocabulary.yml) and the word-level helpers every reader shares."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple

import yaml

_VOCABULARY = Path(__file__).with_name("vocabulary.yml")
WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|\d+[a-zA-Z]?", re.UNICODE)
# Where a clause ends, and with it a name: "Ola Holm, Storgata 5" is a name and then an address.
CLAUSE_END = re.compile(r"[,.;:!?()\n]")


@lru_cache(maxsize=1)
def vocabulary() -> Dict[str, Any]:
    return yaml.safe_load(_VOCABULARY.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def word_set(name: str) -> FrozenSet[str]:
    """A vocabulary list as folded words and phrases."""
    return frozenset(fold(entry) for entry in vocabulary()[name])


def fold(text: str) -> str:
    """Lower case, æøå/åäö kept apart from their plain letters only by meaning: "på" and "pa" meet."""
    text = text.lower().replace("ø", "o").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def clauses(text: str) -> List[str]:
    """The non-empty stretches of ``text`` between punctuation marks."""
    return [clause for clause in CLAUSE_END.split(text) if clause.strip()]


def tokens(text: str) -> List[Tuple[str, int, int]]:
    """(word, start, end) for every word or number in ``text``."""
    return [(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]


def contains_phrase(text: str, phrases: Iterable[str]) -> bool:
    """True when one of ``phrases`` occurs in ``text`` as whole words (folded)."""
    padded = " " + " ".join(fold(w) for w, _, _ in tokens(text)) + " "
    return any(f" {phrase} " in padded for phrase in phrases)


def phrase_before(text: str, position: int, phrases: FrozenSet[str], reach: int = 3) -> bool:
    """True when one of ``phrases`` ends among the ``reach`` words just before ``position``."""
    before = [fold(w) for w, _, end in tokens(text[:position])][-reach:]
    return any(" ".join(before[i:j]) in phrases for i in range(len(before)) for j in range(i + 1, len(before) + 1))
