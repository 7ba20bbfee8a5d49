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


_SEPARATORS = re.compile(r"[\s\-.]")
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


# Candidates in free text: S10 with optional spaces, or runs of digit groups ("+47 …" is a phone number).
_CANDIDATE = re.compile(
    r"(?<![\w+])(?:"
    r"[A-Za-z]{2}[ \-]?\d{3}[ \-]?\d{3}[ \-]?\d{3}[ \-]?[A-Za-z]{2}"
    r"|\d(?:[ \-]?\d){9,21}"
    r")(?![\w])"
)


def find_tracking_numbers(text: str) -> Iterator[TrackingNumber]:
    """Every valid tracking number in a customer's message, with its character span."""
    for match in _CANDIDATE.finditer(text):
        parsed = parse_tracking_number(match.group())
        if parsed is not None:
            yield TrackingNumber(parsed.value, parsed.format, match.start(), match.end())


def has_tracking_shape(text: str) -> bool:
    """True when ``text`` holds something shaped like an S10 or SSCC, valid or not.

    Lets the bot say "a digit is wrong" instead of "that is not a tracking number".
    """
    for match in _CANDIDATE.finditer(text):
        compact = _compact(match.group())
        if _S10.match(compact) or (compact.isdigit() and len(compact) in (18, 20)):
            return True
    return False
