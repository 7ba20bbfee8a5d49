"""Norwegian and Swedish national identity numbers, recognised by their checksums.

Customers paste them where they should not (a fødselsnummer instead of a tracking number);
the tracking-number parser must not take one for a shipment number and send it to the
carrier's back-end, and the privacy layer masks them in logs (bot/privacy/redact.py).
"""

from __future__ import annotations

import re
from typing import Tuple

_SEPARATORS = re.compile(r"[ +-]")
_FODSELSNUMMER_WEIGHTS = ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))


def _mod11(digits: str, weights: Tuple[int, ...]) -> int:
    """The Norwegian control digit for `digits`; 10 means no digit fits, so no valid number has it."""
    remainder = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return 0 if remainder == 11 else remainder


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_fodselsnummer(text: str) -> bool:
    """A Norwegian fødselsnummer, D-nummer (day + 40), H-nummer (month + 40) or synthetic test number (month + 80)."""
    digits = _SEPARATORS.sub("", text)
    if len(digits) != 11 or not digits.isdigit():
        return False
    day, month = int(digits[:2]), int(digits[2:4])
    day -= 40 if day > 40 else 0
    month -= 80 if month > 80 else 40 if month > 40 else 0
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    first, second = _FODSELSNUMMER_WEIGHTS
    return _mod11(digits[:9], first) == int(digits[9]) and _mod11(digits[:10], second) == int(digits[10])


def is_personnummer(text: str) -> bool:
    """A Swedish personnummer or samordningsnummer (day + 60), with a two- or four-digit year."""
    digits = _SEPARATORS.sub("", text)
    if len(digits) == 12:
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    day -= 60 if day > 60 else 0
    return 1 <= month <= 12 and 1 <= day <= 31 and luhn_is_valid(digits)


def is_national_id(text: str) -> bool:
    return is_fodselsnummer(text) or is_personnummer(text)
