"""Tracking numbers as customers write them: find, normalise and check them.

A wrong check digit is caught here, before any back-end call, so a typo gets
"check the number" at once instead of a slow "not found" from the carrier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Iterator, Optional

from bot.identifiers.national_id import is_national_id

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


class TrackingFormat(str, Enum):
    S10 = "s10"  # UPU S10: LA123456785NO
    SSCC = "sscc"  # GS1 Serial Shipping Container Code, 18 digits
    SHIPMENT = "shipment"  # carrier shipment number, 10-20 digits, no public check digit


@dataclass(frozen=True)
class TrackingNumber:
    value: str
    format: TrackingFormat
    start: int = 0
    end: int = 0


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of the 8-digit serial number."""
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def gs1_check_digit(body: str) -> int:
    """GS1 mod-10 check digit: weights 3,1,3,... from the rightmost digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


_SEPARATORS = re.compile(r"[\s\-.()]")
_S10 = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def looks_like_phone_number(digits: str) -> bool:
    """Swedish numbers are ten digits with a trunk 0; they are not shipment numbers."""
    return len(digits) == 10 and digits.startswith("0")


def parse_tracking_number(text: str) -> Optional[TrackingNumber]:
    """The normalised tracking number in ``text``, or None if it is not a valid one.

    Accepts lower case, spaces and hyphens. SSCCs are returned without the GS1
    application identifier "00", as carriers index them by the bare 18 digits.
    A national identity number is never a shipment number, however it is grouped
    (bot/identifiers/national_id.py gives the rule and its price).
    """
    compact = _compact(text)
    if _S10.match(compact):
        serial, check = compact[2:10], int(compact[10])
        if s10_check_digit(serial) != check:
            return None
        return TrackingNumber(compact, TrackingFormat.S10)
    if not compact.isdigit():
        return None
    if len(compact) == 20 and compact.startswith("00"):  # GS1 application identifier + SSCC
        return TrackingNumber(compact[2:], TrackingFormat.SSCC) if _valid_sscc(compact[2:]) else None
    if len(compact) == 18:
        return TrackingNumber(compact, TrackingFormat.SSCC) if _valid_sscc(compact) else None
    if 10 <= len(compact) <= 20 and not looks_like_phone_number(compact) and not is_national_id(compact):
        return TrackingNumber(compact, TrackingFormat.SHIPMENT)
    return None


def _valid_sscc(digits: str) -> bool:
    return gs1_check_digit(digits[:17]) == int(digits[17])


# Candidates in free text, in any grouping customers and labels use: "CP710202412NO",
# "CP71 0202 412 NO" (4-4-1 on Posten's labels), "cp 710 202 412 no", "C P-710.202.412-N O",
# SSCC as "(00) 3701 2345 …" or without the 00. Up to two separators (space, dash; dots too in
# an S10, whose letters keep a date from passing) may stand between two characters, never a
# letter of a neighbouring word ("+47 …" is a phone number).
_GAP = r"[ \-.]{0,2}"
_CANDIDATE = re.compile(
    r"(?<![\w+])(?:"
    rf"(?P<prefix>[A-Za-z][ .\-]?[A-Za-z]){_GAP}\d(?:{_GAP}\d){{8}}{_GAP}(?P<suffix>[A-Za-z][ .\-]?[A-Za-z])"
    r"|(?:\(00\)[ \-]{0,2})?\d(?:[ \-]{0,2}\d){9,21}"
    r")(?![\w])"
)
# Two-letter words that stand next to a nine-digit number in prose ("nr 123456789 og"): such a
# number is not taken for an S10 with a wrong check digit.
_PROSE_WORDS = frozenset({"nr", "og", "er", "ok", "om", "at", "en", "et", "pa", "sa", "in", "ar", "ja", "nu"})


def find_tracking_numbers(text: str) -> Iterator[TrackingNumber]:
    """Every valid tracking number in a customer's message, with its character span."""
    for match in _CANDIDATE.finditer(text):
        parsed = parse_tracking_number(match.group())
        if parsed is not None:
            yield TrackingNumber(parsed.value, parsed.format, match.start(), match.end())


def find_misspelt_tracking_numbers(text: str) -> Iterator[TrackingNumber]:
    """S10s and SSCCs in ``text`` whose check digit is wrong, as written (compacted), with their spans.

    A typo in a tracking number must be told as one, never silently skipped: skipping it
    would let the bot answer about a parcel the customer mentioned earlier.
    """
    for match in _CANDIDATE.finditer(text):
        if _shaped(match) and parse_tracking_number(match.group()) is None:
            compact = _compact(match.group())
            number_format = TrackingFormat.SSCC if compact.isdigit() else TrackingFormat.S10
            yield TrackingNumber(compact, number_format, match.start(), match.end())


def has_tracking_shape(text: str) -> bool:
    """True when ``text`` holds something shaped like an S10 or SSCC, valid or not.

    Lets the bot say "a digit is wrong" instead of "that is not a tracking number".
    """
    return any(_shaped(match) for match in _CANDIDATE.finditer(text))


def _shaped(match: re.Match) -> bool:
    compact = _compact(match.group())
    if compact.isdigit():
        return len(compact) in (18, 20)
    if not _S10.match(compact):
        return False
    letters = (_SEPARATORS.sub("", match[group]) for group in ("prefix", "suffix"))
    return not any(pair.lower() in _PROSE_WORDS and not pair.isupper() for pair in letters)
