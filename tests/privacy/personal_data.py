"""Synthetic personal data for the privacy tests, made with the numbers' own checksum algorithms.

Only ranges kept for tests are used: Norwegian synthetic numbers (month + 80, as in
Skatteetaten's Tenor test data), Swedish test numbers (birth numbers 980-999,
Skatteverket's test range) and the card networks' test prefixes.
"""

from __future__ import annotations

from typing import List


def mod11(digits: str, weights: List[int]) -> int:
    remainder = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return 0 if remainder == 11 else remainder


def with_control_digits(birth: str) -> str:
    """DDMMYY + the first individual number whose two control digits exist + those digits."""
    for individual in range(500, 1000):
        body = birth + f"{individual:03d}"
        first = mod11(body, [3, 7, 6, 1, 8, 9, 4, 5, 2])
        second = mod11(body + str(first), [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
        if first < 10 and second < 10:
            return body + str(first) + str(second)
    raise AssertionError("no valid individual number")


def synthetic_fodselsnummer(day: int, month: int, year: int, d_number: bool = False) -> str:
    """A valid synthetic fødselsnummer (month + 80; D-nummer: day + 40) born that day."""
    return with_control_digits(f"{day + (40 if d_number else 0):02d}{month + 80:02d}{year % 100:02d}")


def luhn_digit(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (1 if position % 2 else 2)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def swedish_test_number(yymmdd: str, serial: int = 980) -> str:
    """A Swedish test personnummer YYMMDDNNNN (10 digits, no separator)."""
    body = yymmdd + f"{serial:03d}"
    return body + luhn_digit(body)


def card_number(prefix: str, length: int) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    return body + luhn_digit(body)
