"""Addresses as customers type them, checked against the real postcode registers of Norway and Sweden.

"Storgata 5, 0155 Oslo" and "storgatan 12 41104 goteborg" both become a street,
a postcode, the register's town and a country, so a wrong postcode is caught in
the chat instead of sending a customer's post to the wrong town.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

REGISTERS = Path(__file__).resolve().parent / "postcode_register"
# A Swedish postcode is five digits, often "411 04"; a Norwegian one is four.
_POSTCODE = re.compile(r"(?<!\d)(?:(?P<se>\d{3} ?\d{2})|(?P<no>\d{4}))(?!\d)")
# Flat and floor designators belong to the street line and are never postcodes: "lgh 1102" (Swedish
# flat number), "leil. 405", "H0302" (Norwegian bolignummer), "2 tr" (Swedish floor), "4. etg".
APARTMENT = re.compile(
    r"(?i)(?<![\w])(?:"
    r"(?:lgh|lägenhet|lagenhet|lägenhetsnummer|leil|leilighet|leilighetsnummer|bolig|bolignummer|bolignr)"
    r"\.?\s*(?:nr\.?\s*)?[a-z]?\d{1,4}[a-z]?"
    r"|[hukl]\d{4}"
    r"|\d{1,2}\.?\s*(?:tr|trappor|trappa|trapp|etg|etasje|etasjen|etage|våning|vaning|vån)\b\.?"
    r"|(?:etg|etasje|våning|vaning|vån)\.?\s*\d{1,2}"
    r")(?![\w])"
)


@dataclass(frozen=True)
class ParsedAddress:
    street: str
    postcode: str
    town: str  # as the customer wrote it; empty when only the postcode was given
    country: str  # "NO" | "SE"


@dataclass(frozen=True)
class CheckedAddress:
    street: str
    postcode: str
    town: str  # the register's spelling, title case
    country: str

    def __str__(self) -> str:
        postcode = f"{self.postcode[:3]} {self.postcode[3:]}" if self.country == "SE" else self.postcode
        return f"{self.street}, {postcode} {self.town}"


@lru_cache(maxsize=None)
def register(country: str) -> Dict[str, str]:
    """Postcode → town, from the register file of the country."""
    rows = (REGISTERS / f"{country}.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in rows if line and not line.startswith("#"))


def blank_apartments(text: str) -> str:
    """``text`` with flat and floor designators blanked out, positions kept."""
    return APARTMENT.sub(lambda m: " " * len(m.group()), text)


def parse_address(text: str) -> Optional[ParsedAddress]:
    """Street, postcode and town out of free text; None without a street and a postcode.

    A flat or floor designator stays in the street ("Odengatan 70, 2 tr") and is never the postcode.
    """
    text = " ".join(text.replace("\n", " ").split())
    match = _POSTCODE.search(blank_apartments(text))
    if not match:
        return None
    street = text[: match.start()].strip(" ,;-")
    town = text[match.end():].strip(" ,;.-")
    if not re.search(r"[^\W\d_]{2,}", street):
        return None
    country = "SE" if match.group("se") else "NO"
    return ParsedAddress(_capitalise(street), match.group().replace(" ", ""), town, country)


def town_of(postcode: str, country: str) -> Optional[str]:
    town = register(country).get(postcode)
    return town.title() if town else None


def same_town(written: str, registered: str) -> bool:
    """Tolerant of case, æøå/åäö written without marks or as oe/aa, and "Göteborg" for "GÖTEBORG C"-style names."""
    a, b = _fold(written), _fold(registered)
    return bool(a) and (a == b or b.startswith(a + " ") or a.startswith(b + " "))


def _fold(text: str) -> str:
    """"Tromsø", "Tromso" and "Tromsoe" fold alike, as do "Ålesund" and "Aalesund"."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("oe", "o").replace("aa", "a")
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if c.isalnum() or c.isspace()).split())


def _capitalise(street: str) -> str:
    return street[:1].upper() + street[1:]


def check(parsed: ParsedAddress) -> CheckedAddress:
    """The address with the register's town; raises `PostcodeError` if the postcode or town is wrong."""
    registered = town_of(parsed.postcode, parsed.country)
    if registered is None:
        raise PostcodeError(parsed.postcode, None, parsed.country)
    if parsed.town and not same_town(parsed.town, registered):
        raise PostcodeError(parsed.postcode, registered, parsed.country, written_town=parsed.town)
    return CheckedAddress(parsed.street, parsed.postcode, registered, parsed.country)


class PostcodeError(ValueError):
    """`registered_town` is None when the postcode does not exist at all."""

    def __init__(self, postcode: str, registered_town: Optional[str], country: str, written_town: str = "") -> None:
        super().__init__(f"{postcode} ({country}): register says {registered_town!r}, customer wrote {written_town!r}")
        self.postcode = postcode
        self.registered_town = registered_town
        self.country = country
        self.written_town = written_town
