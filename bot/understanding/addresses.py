"""Addresses inside sentences: "flytter fra Storgata 5, 0155 Oslo til Bryggen 12, 5003 Bergen".

A postcode anchors each address. The street is the words just before it (back to a word that
cannot be part of a street), the town the words after it, as far as the postcode register's town
reaches; "fra"/"til" (or "från"/"till", "gamle"/"nye") before the street say which address it is.
Dates, tracking numbers and phone numbers are masked first, so "2027" in a date or the digits of
a parcel number are never taken for a postcode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional

from bot.identifiers.postcodes import blank_apartments, same_town, town_of
from bot.understanding.words import fold, tokens, word_set

OLD, NEW = "old", "new"

_NUMBER_MASKS = [
    re.compile(r"\b[A-Za-z]{2}[\s.\-]*(?:\d[\s.\-]*){9}[A-Za-z]{2}\b"),  # S10 parcel numbers in any grouping
    re.compile(r"(?!\d{4}-\d{1,2}-\d{1,2}\b)\+?\d(?:[\s\-]?\d){7,}"),  # phone numbers, SSCCs, shipment numbers
]
_DATE_MASKS = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),  # ISO dates
    re.compile(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b"),  # 15.01, 15/1, 15.01.2027
    re.compile(r"(?i)\b(?:jan|feb|mar|apr|mai|maj|jun|jul|aug|sep|okt|nov|des|dec)[a-z]*\.?\s+\d{4}\b"),  # "mars 2027"
]
_POSTCODE = re.compile(r"(?<![\w+])(?:\d{3} \d{2}|\d{5}|\d{4})(?!\d)")
_HOUSE_NUMBER = re.compile(r"^\d{1,4}[a-zA-Z]?$|^[hHuUkK]\d{4}$|^[a-zA-Z]$")
_BOUNDARY = re.compile(r"[,.;:!?()\"«»]")
MAX_STREET_WORDS = 2  # words of a street name before its number, unless a generic word ("gate") asks for more
MAX_TOWN_WORDS = 4


@dataclass(frozen=True)
class FoundAddress:
    street: str
    postcode: str
    town: str  # as written; empty when the customer gave only the postcode
    role: Optional[str]  # OLD, NEW, or None when nothing in the sentence says
    start: int
    end: int

    @property
    def text(self) -> str:
        """The address as `bot.identifiers.postcodes.parse_address` reads it."""
        return f"{self.street}, {self.postcode} {self.town}".strip()


def mask_numbers(text: str) -> str:
    """``text`` with parcel and phone numbers blanked out, positions kept."""
    return _blank(text, _NUMBER_MASKS)


def mask(text: str) -> str:
    """``text`` with dates, parcel and phone numbers and flat designators blanked out, positions kept."""
    return _blank(mask_numbers(blank_apartments(text)), _DATE_MASKS)


def _blank(text: str, patterns: List[re.Pattern]) -> str:
    for pattern in patterns:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def postcodes(text: str) -> List[re.Match]:
    """Postcode candidates in ``text`` (Norwegian four digits, Swedish five, "411 04")."""
    return list(_POSTCODE.finditer(mask(text)))


def find_addresses(text: str) -> List[FoundAddress]:
    """Every address (street and postcode) in ``text``, in order, with the role the sentence gives it."""
    found: List[FoundAddress] = []
    floor = 0
    plain = blank_apartments(text)  # the street is found around flat designators, which stay in it
    for match in postcodes(text):
        postcode = match.group().replace(" ", "")
        street_start = _street_start(plain, floor, match.start())
        street = text[street_start:match.start()].strip(" ,;-")
        if street_start < 0 or not any(c.isalpha() for c in street):
            continue
        town, end = _town(text, match.end(), postcode)
        found.append(FoundAddress(_capitalise(street), postcode, town, _role(text, floor, street_start), street_start, end))
        floor = end
    return _with_roles(found)


def by_role(found: List[FoundAddress]) -> Dict[str, FoundAddress]:
    """The old and the new address among ``found``; the last one of each role wins."""
    return {address.role: address for address in found if address.role}


def _street_start(text: str, floor: int, postcode_start: int) -> int:
    """Where the street before a postcode begins; -1 when there is none.

    Walks back from the postcode: house numbers first ("12B", "3 H0201"), then the street's words
    until a word that cannot be part of a street, punctuation, or the street's likely length: one
    word that is a whole street name ("Storgata"), two words otherwise ("Nedre Bakklandet"), and
    two more before a generic word ("Kong Oscars gate").
    """
    stops, generics, endings = word_set("street_stops"), word_set("street_generics"), word_set("street_endings")
    cased = text != text.lower()
    start, names, numbers, limit = -1, 0, 0, MAX_STREET_WORDS
    for word, w_start, w_end in reversed(tokens(text[floor:postcode_start])):
        w_start, w_end = w_start + floor, w_end + floor
        if start >= 0 and _BOUNDARY.search(text[w_end:start]):
            break
        folded = fold(word)
        if names == 0 and (_HOUSE_NUMBER.match(word) and numbers < 3 or folded in ("nr", "nummer")):
            numbers += 1
            start = w_start
            continue
        generic = folded in generics
        if any(c.isdigit() for c in word) or (folded in stops and not generic):
            break
        if names and cased and word.islower() and not generic:
            break
        names += 1
        start = w_start
        if generic:
            limit = names + MAX_STREET_WORDS
        one_word_street = not generic and any(folded.endswith(e) for e in endings)
        if names >= limit or (names == 1 and one_word_street):
            limit = names + 1 if one_word_street and names < limit else names
            if not _prefix_before(text, floor, w_start):
                break
    return start if names else -1


def _prefix_before(text: str, floor: int, position: int) -> bool:
    """True when the word before ``position`` starts a street name ("Nedre", "Övre", "Kong")."""
    before = tokens(text[floor:position])
    if not before or _BOUNDARY.search(text[floor + before[-1][2]:position]):
        return False
    word = before[-1][0]
    folded = fold(word)
    # "Andra Långgatan" is a street, "ändra Långgatan 14" a correction: such prefixes count capitalised only.
    return folded in word_set("street_prefixes") and (folded not in word_set("street_prefixes_capitalised") or word[:1].isupper())


def _town(text: str, after: int, postcode: str) -> tuple:
    """The town written after a postcode (as far as the register's town reaches) and where it ends."""
    country = "SE" if len(postcode) == 5 else "NO"
    registered = town_of(postcode, country)
    words = tokens(text[after:])
    if not words or _BOUNDARY.search(text[after:after + words[0][1]]):
        return "", after
    words = words[:MAX_TOWN_WORDS]
    if registered:
        wanted = " ".join(fold(w) for w, _, _ in tokens(registered))
        sizes = range(len(words), 0, -1)
        exact = [n for n in sizes if " ".join(fold(w) for w, _, _ in words[:n]) == wanted]
        loose = [n for n in reversed(sizes) if same_town(text[after + words[0][1]:after + words[n - 1][2]], registered)]
        for size in exact[:1] or loose[:1]:
            return text[after + words[0][1]:after + words[size - 1][2]], after + words[size - 1][2]
    first, start, end = words[0]
    if not first.isalpha() or fold(first) in word_set("name_stops") | word_set("street_stops"):
        return "", after
    return first, after + end


def _role(text: str, floor: int, street_start: int) -> Optional[str]:
    """OLD or NEW from the nearest marker among the few words before the street."""
    before = [fold(w) for w, _, _ in tokens(text[floor:street_start])][-4:]
    from_markers, to_markers = word_set("from_markers"), word_set("to_markers")
    for i in range(len(before) - 1, -1, -1):
        for phrase in (" ".join(before[i - 1:i + 1]) if i else "", before[i]):
            if phrase in from_markers:
                return OLD
            if phrase in to_markers:
                return NEW
    return None


def _with_roles(found: List[FoundAddress]) -> List[FoundAddress]:
    """Two addresses: a marked one gives the other the opposite role; unmarked, the first is the old one."""
    if len(found) != 2:
        return found
    first, second = found
    roles = (first.role, second.role)
    if roles == (None, None):
        roles = (OLD, NEW)
    elif None in roles:
        known = first.role or second.role
        other = NEW if known == OLD else OLD
        roles = (first.role or other, second.role or other)
    return [_replace_role(first, roles[0]), _replace_role(second, roles[1])]


def _replace_role(address: FoundAddress, role: Optional[str]) -> FoundAddress:
    return FoundAddress(address.street, address.postcode, address.town, role, address.start, address.end)


def _capitalise(street: str) -> str:
    return street[:1].upper() + street[1:]
