"""What a question about sending something says: its weight, where it goes, and whether it is a letter.

"hva koster det å sende en pakke på 2,5 kg til Tyskland", "vad kostar ett brev på 50 gram till
Finland", "ett halvt kilo till Kirkenes": the price comes from the back-end, which needs grams, an
ISO country code and a kind. A town of the home country's postcode register ("til Kirkenes") is a
domestic destination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.identifiers.postcodes import register
from bot.understanding.words import fold, tokens

_COUNTRIES = Path(__file__).with_name("countries.yml")
NUMBER_WORDS = {
    "en": 1, "ett": 1, "ei": 1, "et": 1, "to": 2, "tva": 2, "tre": 3, "fire": 4, "fyra": 4, "fem": 5,
    "seks": 6, "sex": 6, "sju": 7, "syv": 7, "atte": 8, "atta": 8, "ni": 9, "nio": 9, "ti": 10, "tio": 10,
}
_UNITS = {"kg": 1000, "kilo": 1000, "kilos": 1000, "kilogram": 1000, "g": 1, "gr": 1, "gram": 1, "hg": 100, "hekto": 100}
_WEIGHT = re.compile(r"(\d+(?:[.,]\d+)?|[a-z]+)(?:\s+(halv|halvt|halvannen|och en halv|og en halv))?\s*(kg|kilos?|kilogram|gram|gr|g|hg|hekto)\b")
_TO = frozenset({"til", "till", "to", "mot", "i"})
_FROM = frozenset({"fra", "fran", "ifra", "ifran"})
LETTER_WORDS = frozenset({"brev", "brevet", "kort", "kortet", "postkort", "vykort", "julekort", "julkort", "konvolutt",
                          "kuvert", "brevpost"})


@lru_cache(maxsize=1)
def _country_names() -> Dict[str, str]:
    """Folded name -> ISO code."""
    raw = yaml.safe_load(_COUNTRIES.read_text(encoding="utf-8"))
    return {fold(name): code for code, names in raw.items() for name in names}


def weight_grams(text: str) -> Optional[int]:
    """The weight the text gives, in grams ("2,5 kg" 2500, "ett halvt kilo" 500, "300 g" 300), or None."""
    for number, half, unit in _WEIGHT.findall(fold(text)):
        if number in ("halv", "halvt"):
            value = 0.5
        elif number in NUMBER_WORDS:
            value = float(NUMBER_WORDS[number])
        elif number[0].isdigit():
            value = float(number.replace(",", "."))
        else:
            continue
        if half:
            value = 0.5 if half in ("halv", "halvt") and value == 1 else value + 0.5
        grams = round(value * _UNITS[unit])
        if grams > 0:
            return grams
    return None


@dataclass(frozen=True)
class Destination:
    code: str  # ISO 3166-1 alpha-2
    town: Optional[str] = None  # "Kirkenes", when the customer named a town of the home country


@lru_cache(maxsize=2)
def _towns(home: str) -> Dict[str, str]:
    """Folded town -> the town as written in an answer ("MO I RANA" -> "Mo i Rana")."""
    return {fold(town): " ".join(w.capitalize() if i == 0 or len(w) > 2 else w.lower()
                                 for i, w in enumerate(town.split()))
            for town in register(home).values()}


def destination(text: str, home: str) -> Optional[Destination]:
    """Where the item goes: a country after "til/till", else one not after "fra/från"; a town of
    ``home``'s register after "til/till" is ``home``, with the town."""
    words = [fold(w) for w, _, _ in tokens(text)]
    names, towns = _country_names(), _towns(home)
    found: List[Tuple[str, Destination]] = []
    for i in range(len(words)):
        before = words[i - 1] if i else ""
        for length in (3, 2, 1):
            phrase = " ".join(words[i:i + length])
            if phrase in names:
                found.append((before, Destination(names[phrase])))
                break
            if phrase in towns and before in _TO:
                found.append((before, Destination(home, towns[phrase])))
                break
    after_to = [place for before, place in found if before in _TO]
    not_from = [place for before, place in found if before not in _FROM]
    return (after_to or not_from or [None])[0]


def is_letter(text: str) -> bool:
    return any(fold(w) in LETTER_WORDS for w, _, _ in tokens(text))
