"""Personal data in free text, found and masked before text reaches a log or an export.

A number counts as a national identity number or a card only when its checksum
holds, so tracking numbers, postcodes, order and case numbers, dates and amounts
stay readable: an operator still sees which parcel a log line is about. Each
detector sees the text with the earlier detectors' finds already masked, in the
order of DETECTORS (e-mail first, since an address may hold digits; the phone
last, since its pattern is the loosest).

Digits are taken as a whole number: a run glued to letters (`RR123456785NO`) or
continued by more digit groups (`4111 1111 1111 1111`) is never read in pieces.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, Iterator, Optional, Tuple

from bot.identifiers.contact import find_emails, normalise_phone
from bot.identifiers.national_id import find_national_ids, luhn_is_valid
from bot.identifiers.tracking import gs1_check_digit
from bot.privacy import settings

Span = Tuple[int, int]

# Not glued to a word or a "+", not the continuation of a digit group ("12 34"), and not continued by one.
_START = r"(?<![\w+])(?<!\d[ -])"
_END = r"(?![ -]?\d)(?!\w)"

_CARD = re.compile(_START + r"\d(?:[ -]?\d){12,18}" + _END)
_PHONE = re.compile(_START + r"(?:\+|00)?\d(?:[ -]?\d){7,11}" + _END)
_SEPARATORS = re.compile(r"[ +-]")
_CANDIDATE = re.compile(r"[\d@]")  # most log lines have neither: they are returned untouched at once

# Issuers' first digits (ISO/IEC 7812): 2-6 are banking and travel cards; carriers' numbers start otherwise (70…, 00…).
_CARD_FIRST_DIGITS = "23456"


def is_card_number(text: str) -> bool:
    digits = _SEPARATORS.sub("", text)
    if not (13 <= len(digits) <= 19 and digits[0] in _CARD_FIRST_DIGITS and luhn_is_valid(digits)):
        return False
    is_sscc = len(digits) == 18 and gs1_check_digit(digits[:-1]) == int(digits[-1])
    return not is_sscc


def is_phone_number(text: str) -> bool:
    """A Norwegian or Swedish number as contact.normalise_phone reads it, minus what looks like a date.

    A Swedish number written with its trunk 0 has at least nine digits; eight
    digits with a leading 0 are far more often a date (01-12-2026) than a phone.
    The country code without its "+" (4791234567) counts too: that is how the
    NLU's entity values and some systems write a number.
    """
    digits = _SEPARATORS.sub("", text)
    if normalise_phone(text) is None:
        return digits.startswith(("47", "46")) and normalise_phone("+" + digits) is not None
    return not (digits.startswith("0") and not digits.startswith("00") and len(digits) < 9)


def _matching(pattern: re.Pattern, check: Callable[[str], bool]) -> Callable[[str], Iterator[Span]]:
    def find(text: str) -> Iterator[Span]:
        for match in pattern.finditer(text):
            if check(match.group()):
                yield match.span()

    return find


def _national_ids(kind: str) -> Callable[[str], Iterator[Span]]:
    """Identity numbers of one kind, however grouped (bot/identifiers/national_id.py)."""

    def find(text: str) -> Iterator[Span]:
        for found, start, end in find_national_ids(text):
            if found == kind:
                yield start, end

    return find


def _emails(text: str) -> Iterator[Span]:
    if "@" not in text:  # the address pattern backtracks over every word: skip it when it cannot match
        return
    for _, start, end in find_emails(text):
        yield start, end


DETECTORS: Dict[str, Callable[[str], Iterator[Span]]] = {
    "email": _emails,
    "fodselsnummer": _national_ids("fodselsnummer"),
    "personnummer": _national_ids("personnummer"),
    "card": _matching(_CARD, is_card_number),
    "phone": _matching(_PHONE, is_phone_number),
}


def redact(text: str, labels: Optional[Dict[str, str]] = None) -> str:
    """`text` with every personal datum replaced by its kind's label from privacy.yml (`[e-post]`, …)."""
    if not _CANDIDATE.search(text):
        return text
    labels = labels or settings.load().labels
    for kind, detector in DETECTORS.items():
        spans = list(detector(text))
        for start, end in reversed(spans):
            text = text[:start] + labels[kind] + text[end:]
    return text
