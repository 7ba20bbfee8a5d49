"""Norwegian and Swedish national identity numbers, recognised by their checksums however they are written.

Customers paste them where they should not (a personnummer instead of a tracking number).
The tracking-number parser must not take one for a shipment number and send it to the
carrier's back-end, the assistant tells the customer not to share it (actions/tracking.py),
and the privacy layer masks it in every log (bot/privacy/redact.py).

The rule: a run of 10-12 digits, grouped any way with spaces, '-' or '+', is an identity
number when its digits form a real calendar day and its check digits hold:
- 11 digits: a fødselsnummer or D-nummer (DDMMYY + three digits + two mod-11 control digits);
- 10 digits: a personnummer or samordningsnummer (YYMMDD + three digits + a Luhn digit);
- 12 digits: the same with the century (18, 19 or 20) in front.
How a person groups it ("811218 9876", "8112189876", "150385-10190") says nothing a
shipment number could not say too, so grouping is not part of the rule. The price is a
clash: about one in 140 random 10-digit numbers passes (a valid day times a Luhn digit).
Neither Bring nor PostNord issues 10-digit shipment numbers (theirs are S10, 17-digit
shipment and 18-digit SSCC numbers), so the clash hits only other carriers' numbers, and
then the customer is told the number looks like an identity number and gets a person.
A 10-digit number with a trunk 0 (0701234567, 070-123 45 67) is a Swedish phone number
first, unless written YYMMDD-NNNN: phones keep working, and logs mask it either way.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

_SEPARATORS = re.compile(r"[ +-]")
_FODSELSNUMMER_WEIGHTS = ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
_CENTURIES = ("18", "19", "20")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February: some century has it

_WRITTEN_AS_PERSONNUMMER = re.compile(r"\d{6}[-+]\d{4}")
# A whole run of 10-12 digits: not glued to a word or a "+", not the tail of a longer digit run, not continued by one.
_RUN = re.compile(r"(?<![\w+])(?<!\d[ +-])\d(?:[ +-]?\d){9,11}(?![ +-]?\d)(?!\w)")


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


def _is_day(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _digits(text: str) -> str:
    return _SEPARATORS.sub("", text.strip())


def is_fodselsnummer(text: str) -> bool:
    """A Norwegian fødselsnummer, D-nummer (day + 40), H-nummer (month + 40) or synthetic test number (month + 80)."""
    digits = _digits(text)
    if len(digits) != 11 or not digits.isdigit():
        return False
    day, month = int(digits[:2]), int(digits[2:4])
    day -= 40 if day > 40 else 0
    month -= 80 if month > 80 else 40 if month > 40 else 0
    if not _is_day(day, month):
        return False
    first, second = _FODSELSNUMMER_WEIGHTS
    return _mod11(digits[:9], first) == int(digits[9]) and _mod11(digits[:10], second) == int(digits[10])


def is_personnummer(text: str) -> bool:
    """A Swedish personnummer or samordningsnummer (day + 60), with a two- or four-digit year."""
    digits = _digits(text)
    if len(digits) == 12 and digits.startswith(_CENTURIES):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    day -= 60 if day > 60 else 0
    return _is_day(day, month) and luhn_is_valid(digits)


def _is_phone_number(text: str) -> bool:
    """Ten digits with a Swedish trunk 0 are a phone number (a personnummer from 2000-2009 written YYMMDD-NNNN is not)."""
    digits = _digits(text)
    trunk_zero = digits.startswith("0") and not digits.startswith("00")  # "00" opens an international number
    return len(digits) == 10 and trunk_zero and not _WRITTEN_AS_PERSONNUMMER.fullmatch(text.strip())


def national_id_kind(text: str) -> Optional[str]:
    """"fodselsnummer", "personnummer" or None: which identity number `text` is, however grouped."""
    if is_fodselsnummer(text):
        return "fodselsnummer"
    if is_personnummer(text) and not _is_phone_number(text):
        return "personnummer"
    return None


def is_national_id(text: str) -> bool:
    return national_id_kind(text) is not None


def find_national_ids(text: str) -> Iterator[Tuple[str, int, int]]:
    """Every identity number in free text: its kind and character span."""
    for match in _RUN.finditer(text):
        kind = national_id_kind(match.group())
        if kind is not None:
            yield kind, match.start(), match.end()
