"""What callers say out loud, as a recogniser writes it: number words, letter names, spoken dates.

The words live in `words.yml` (both languages side by side); this module folds them once into
lookup tables. `numbers` turns number words into values and digits, `entities` turns whole
utterances into the codes and dates the bot's NLU and actions accept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Tuple

import yaml

WORDS = Path(__file__).with_name("words.yml")
_FOLDED = str.maketrans({"æ": "a", "ä": "a", "å": "a", "ø": "o", "ö": "o"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


class UnknownLanguage(LookupError):
    def __init__(self, language: str, known: Iterable[str], source: Path = WORDS) -> None:
        super().__init__(f"no words for language {language!r} in {source}; known: {', '.join(sorted(known))}")


def fold(text: str) -> str:
    """Lower case without æøå/åäö marks, so "åtte" meets a recogniser's or a keyboard's "atte".

    Both the word lists and every transcript pass through here, so a spelling without the
    Nordic letters never has to be listed.
    """
    text = text.lower().translate(_FOLDED)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def tokens(text: str) -> List[str]:
    """Folded words; punctuation and hyphens split words, as a recogniser never writes them."""
    return [token for token in _NOT_WORD.split(fold(text)) if token]


@dataclass(frozen=True)
class Lexicon:
    """One language's spoken words, folded. Tuples hold the bot's own spelling of each value."""

    numbers: Mapping[str, int]
    digit_words: Tuple[str, ...]  # 0-9
    joiners: FrozenSet[str]
    letters: Mapping[str, str]  # a phrase ("se", "cesar", "dobbelt ve") -> its letter
    ordinals: Mapping[str, int]  # 1-31, compounds included ("tjuefjerde", "tjue fjerde")
    ordinal_words: Mapping[int, str]
    months: Mapping[str, int]
    month_words: Tuple[str, ...]  # January first
    relative_days: Mapping[str, int]
    fillers: FrozenSet[str]
    postcode_country: str  # "NO", "SE"
    postcode_digits: int


@lru_cache(maxsize=None)
def _words() -> Dict[str, Any]:
    return yaml.safe_load(WORDS.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def lexicon(language: str) -> Lexicon:
    words = _words()
    if language not in words or language == "spelling_alphabets":
        raise UnknownLanguage(language, (key for key in words if key != "spelling_alphabets"))
    raw = words[language]
    numbers = raw["numbers"]
    ordinals, ordinal_words = _ordinals(raw["ordinals"], numbers)
    return Lexicon(
        numbers=_spellings(numbers),
        digit_words=tuple(numbers[digit][0] for digit in range(10)),
        joiners=frozenset(fold(word) for word in raw["joiners"]),
        letters=_letters(raw["letters"], words["spelling_alphabets"]),
        ordinals=ordinals,
        ordinal_words=ordinal_words,
        months=_spellings(raw["months"]),
        month_words=tuple(raw["months"][month][0] for month in range(1, 13)),
        relative_days=_spellings(raw["relative_days"]),
        fillers=frozenset(fold(word) for word in raw["fillers"]),
        postcode_country=raw["postcode"]["country"],
        postcode_digits=int(raw["postcode"]["digits"]),
    )


def _spellings(entries: Mapping[Any, List[str]]) -> Dict[str, Any]:
    return {" ".join(tokens(spelling)): value for value, spellings in entries.items() for spelling in spellings}


def _letters(names: Mapping[str, List[str]], alphabets: Mapping[str, List[str]]) -> Dict[str, str]:
    """Letter names, both spelling alphabets, and the letter itself ("c", as a transcript may write it)."""
    letters = {letter.lower(): letter for letter in names}
    letters.update(_spellings(alphabets))
    letters.update(_spellings(names))
    return letters


def _ordinals(base: Mapping[int, List[str]], numbers: Mapping[int, List[str]]) -> Tuple[Dict[str, int], Dict[int, str]]:
    """Days 21-29 and 31 are said as the tens and an ordinal ("tjue" + "fjerde"), so they are composed, not listed."""
    spellings = {day: list(words) for day, words in base.items()}
    for tens in (20, 30):
        for unit in range(1, 10 if tens == 20 else 2):
            spellings[tens + unit] = [
                f"{ten}{joint}{ordinal}" for ten in numbers[tens] for ordinal in base[unit] for joint in ("", " ")
            ]
    return _spellings(spellings), {day: words[0] for day, words in spellings.items()}
