"""Number words as callers say them: "femti", "sjuttiotvå", "tjueen", "hundre og fem", "to tusen".

A recogniser writes compounds either whole ("sjuhundreti") or split ("sju hundre ti"), so
words are first cut into known parts and then read by a small grammar: a sequence that is
not one number ("fem femti") is refused here, and `digits_of` reads it as two numbers.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from itertools import product
from typing import List, Optional, Sequence, Tuple, Union

from voice.spoken import lexicon, tokens

Words = Union[str, Sequence[str]]
# The longest number phrase: "to tusen tre hundre og femti".
MAX_PHRASE = 6


class Kind(Enum):
    ZERO = "zero"
    UNIT = "unit"  # 1-9
    TEEN = "teen"  # 10-19
    TENS = "tens"  # 20, 30, ... 90
    HUNDRED = "hundred"
    THOUSAND = "thousand"
    JOIN = "join"  # "og" / "och"


Part = Tuple[Kind, int]


def parse_number(words: Words, language: str) -> Optional[int]:
    """The one number the words say, or None when they are not exactly one number."""
    said = _tokens(words)
    if len(said) == 1 and said[0].isdigit():
        return int(said[0])
    readings = [_segmentations(word, language) for word in said]
    if not said or not all(readings):
        return None
    for parts in product(*readings):
        value = _evaluate([part for word in parts for part in word])
        if value is not None:
            return value
    return None


def digits_of(words: Words, language: str) -> str:
    """The digits said, each word or phrase a digit or a number: "null fem femti" -> "0550".

    The longest phrase that is one number wins ("sju hundre ti" -> "710"), as callers group
    digits that way. Words that are no number (hesitations, "og" between digits) are skipped.
    """
    said = _tokens(words)
    digits: List[str] = []
    start = 0
    while start < len(said):
        phrase = longest_number(said, start, language)
        if phrase is None:
            start += 1
            continue
        text, start = phrase
        digits.append(text)
    return "".join(digits)


def longest_number(said: Sequence[str], start: int, language: str) -> Optional[Tuple[str, int]]:
    """The digits of the longest number phrase beginning at ``start``, and where it ends."""
    return next(iter(number_phrases(said, start, language)), None)


def number_phrases(said: Sequence[str], start: int, language: str) -> List[Tuple[str, int]]:
    """Every number phrase beginning at ``start``, longest first, as (digits, end)."""
    if said[start].isdigit():
        return [(said[start], start + 1)]
    phrases = []
    for end in range(min(len(said), start + MAX_PHRASE), start, -1):
        value = parse_number(said[start:end], language)
        if value is not None:
            phrases.append((str(value), end))
    return phrases


def _tokens(words: Words) -> List[str]:
    return tokens(words if isinstance(words, str) else " ".join(words))


@lru_cache(maxsize=4096)
def _segmentations(word: str, language: str) -> Tuple[Tuple[Part, ...], ...]:
    """Every way to cut ``word`` into number parts: "sjuttiotva" -> ((TENS 70), (UNIT 2))."""
    parts = _parts(language)
    found: List[Tuple[Part, ...]] = []

    def cut(rest: str, so_far: Tuple[Part, ...]) -> None:
        if not rest:
            found.append(so_far)
        for spelling, part in parts:
            if rest.startswith(spelling):
                cut(rest[len(spelling):], so_far + (part,))

    cut(word, ())
    return tuple(sorted(found, key=len))


@lru_cache(maxsize=None)
def _parts(language: str) -> Tuple[Tuple[str, Part], ...]:
    words = lexicon(language)
    parts = [(spelling, (_kind(value), value)) for spelling, value in words.numbers.items() if " " not in spelling]
    parts += [(joiner, (Kind.JOIN, 0)) for joiner in words.joiners]
    return tuple(parts)


def _kind(value: int) -> Kind:
    if value == 0:
        return Kind.ZERO
    if value < 10:
        return Kind.UNIT
    if value < 20:
        return Kind.TEEN
    if value < 100:
        return Kind.TENS
    return Kind.HUNDRED if value == 100 else Kind.THOUSAND


def _evaluate(parts: Sequence[Part]) -> Optional[int]:
    """The value of parts read as one number, or None: "fem femti" and "null fem" are two numbers."""
    if [kind for kind, _ in parts] == [Kind.ZERO]:
        return 0
    head, at = _below_thousand(parts, 0)
    if at < len(parts) and parts[at][0] is Kind.THOUSAND:
        tail, at = _after_multiplier(parts, at + 1, _below_thousand)
        value = None if tail is None else (head or 1) * 1000 + tail
    else:
        value = head
    return value if at == len(parts) else None


def _below_thousand(parts: Sequence[Part], at: int) -> Tuple[Optional[int], int]:
    head, at = _below_hundred(parts, at)
    if at < len(parts) and parts[at][0] is Kind.HUNDRED and (head is None or head < 20):  # "tolv hundre" = 1200
        tail, at = _after_multiplier(parts, at + 1, _below_hundred)
        return (None if tail is None else (head or 1) * 100 + tail), at
    return head, at


def _after_multiplier(parts: Sequence[Part], at: int, below) -> Tuple[Optional[int], int]:
    """What follows "hundre"/"tusen": nothing, or "og" and a number, or a number. A dangling "og" is refused."""
    joined = at < len(parts) and parts[at][0] is Kind.JOIN
    tail, end = below(parts, at + joined)
    if tail is None:
        return (None, end) if joined else (0, at)
    return tail, end


def _below_hundred(parts: Sequence[Part], at: int) -> Tuple[Optional[int], int]:
    kinds = [kind for kind, _ in parts[at:at + 3]]
    values = [value for _, value in parts[at:at + 3]]
    if kinds[:3] == [Kind.UNIT, Kind.JOIN, Kind.TENS]:  # "fem og tjue", the old way to say 25
        return values[0] + values[2], at + 3
    if kinds[:2] == [Kind.TENS, Kind.UNIT]:
        return values[0] + values[1], at + 2
    if kinds[:1] in ([Kind.UNIT], [Kind.TEEN], [Kind.TENS]):
        return values[0], at + 1
    return None, at
