"""E-mail addresses, Norwegian/Swedish phone numbers and postcodes as customers type them."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional, Tuple

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# +47 987 65 432, 98765432, 0047..., +46 70 123 45 67, 070-123 45 67, 08-123 456 78
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[ \-]?\d){7,11}(?![\w])")


def find_emails(text: str) -> Iterator[Tuple[str, int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.group().lower(), match.start(), match.end()


def parse_email(text: str) -> Optional[str]:
    found = next(find_emails(text.strip()), None)
    return found[0] if found else None


def normalise_contact(value: Any) -> Optional[str]:
    """A whole field that must be one e-mail address or one phone number (E.164), else None.

    Unlike the finders, which pick contacts out of a sentence, this refuses a
    value with anything around the address, so what is stored is exactly it.
    """
    if not isinstance(value, str):
        return None
    email = parse_email(value)
    if email is not None and email == value.strip().lower():
        return email
    return normalise_phone(value)


def normalise_phone(text: str) -> Optional[str]:
    """E.164 form (+4798765432 / +46701234567) of a Norwegian or Swedish number, else None."""
    digits = re.sub(r"[\s\-]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+47"):
        rest = digits[3:]
        return digits if len(rest) == 8 and rest[0] in "2345679" else None
    if digits.startswith("+46"):
        rest = digits[3:]
        return digits if 7 <= len(rest) <= 9 and rest[0] != "0" else None
    if not digits.isdigit():
        return None
    if len(digits) == 8 and digits[0] in "49":  # Norwegian mobile
        return "+47" + digits
    if digits.startswith("0") and 8 <= len(digits) <= 10:  # Swedish, trunk prefix 0
        return "+46" + digits[1:]
    return None


def find_phone_numbers(text: str) -> Iterator[Tuple[str, int, int]]:
    for match in _PHONE.finditer(text):
        value = normalise_phone(match.group())
        if value:
            yield value, match.start(), match.end()


def normalise_postcode(text: str) -> Optional[str]:
    """Norwegian (4 digits) or Swedish (5 digits, "114 55") postcode, without spaces."""
    digits = re.sub(r"\s", "", text.strip())
    return digits if digits.isdigit() and len(digits) in (4, 5) else None
