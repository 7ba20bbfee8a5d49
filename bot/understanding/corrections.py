"""Corrections of one part of an address already given: "skrev feil husnummer, det er 12".

The customer names the part (house number, postcode) and gives the new value; the rest of the
address stays as it was, and a new postcode brings the register's town with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.identifiers.postcodes import parse_address
from bot.understanding.addresses import NEW, OLD, postcodes
from bot.understanding.words import contains_phrase, fold, tokens, word_set

HOUSE_NUMBER, POSTCODE = "house_number", "postcode"
_NUMBER = re.compile(r"(?<![\w-])\d{1,3}(?:[a-zA-Z]| [A-Z])?(?![\w-])")


@dataclass(frozen=True)
class AddressCorrection:
    part: str  # HOUSE_NUMBER | POSTCODE
    value: str
    role: Optional[str]  # OLD or NEW when the message says which address; None for the latest one


def is_correction(text: str) -> bool:
    """The customer says an earlier answer was wrong ("feil", "nei vent", "ska vara", "menade")."""
    return contains_phrase(text, word_set("correction_markers"))


def read_address_correction(text: str) -> Optional[AddressCorrection]:
    """The part of an address the message corrects and its new value; None if it corrects none."""
    folded = [fold(w) for w, _, _ in tokens(text)]
    role = _named_role(folded)
    if any(w in word_set("postcode_words") for w in folded):
        found = postcodes(text)
        if found:
            return AddressCorrection(POSTCODE, found[0].group().replace(" ", ""), role)
    field = next((end for w, _, end in tokens(text) if fold(w) in word_set("house_number_words")), None)
    if field is not None:
        after = _NUMBER.search(text, field)
        before = _NUMBER.findall(text[:field])
        value = after.group() if after else (before[-1] if before else None)
        if value:
            return AddressCorrection(HOUSE_NUMBER, value.replace(" ", "").upper() if value[-1].isalpha() else value, role)
    return None


def corrected(address: str, correction: AddressCorrection) -> Optional[str]:
    """``address`` (as stored) with the corrected part; the town follows a new postcode from the register."""
    parsed = parse_address(address)
    if parsed is None:
        return None
    if correction.part == POSTCODE:
        return f"{parsed.street}, {correction.value}"
    street, replaced = _NUMBER.subn(correction.value, parsed.street, count=1)
    if not replaced:
        street = f"{parsed.street} {correction.value}"
    return f"{street}, {parsed.postcode} {parsed.town}".strip()


def _named_role(folded: list) -> Optional[str]:
    """OLD or NEW when the message names the old or the new address."""
    if any(w in word_set("from_markers") for w in folded):
        return OLD
    if any(w in word_set("to_markers") for w in folded):
        return NEW
    return None
