"""The dates in a sentence and which of them ends a period: "fra 1. mars til 20. juni", "t.o.m. 30/6".

`bot.identifiers.dates.parse_date` reads one date; a sentence is cut where "til"/"till"/"–" may
start an end date, and each piece is read on its own. A piece that begins with a date right after
such a word is the end of a period; "flytter til Bergen 1. mars" is not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional

from dateutil.relativedelta import relativedelta

from bot.identifiers.dates import parse_date
from bot.understanding.words import fold

_UNTIL = re.compile(
    r"\s(?:til og med|till och med|t\.?\s?o\.?\s?m\.?|fram til|fram till|frem til|inntil|tills|til|till|ut)\s|\s[-–]\s|–",
    re.IGNORECASE,
)
_OTHER_BREAKS = re.compile(r"[,;!?]|\s(?:og|och)\s", re.IGNORECASE)
_COUNTS = {"en": 1, "ett": 1, "ei": 1, "eit": 1, "to": 2, "tva": 2, "par": 2, "et par": 2, "ett par": 2, "tre": 3,
           "fire": 4, "fyra": 4, "fem": 5, "seks": 6, "sex": 6, "syv": 7, "sju": 7, "atte": 8, "atta": 8, "ni": 9,
           "nio": 9, "ti": 10, "tio": 10, "elleve": 11, "elva": 11, "tolv": 12}
_COUNT = r"(\d{1,2}|" + "|".join(sorted(_COUNTS, key=len, reverse=True)) + ")"
_UNIT = r"(dag|dagar|dager|dogn|dygn|uke|uker|veke|veker|vecka|veckor|maned|maneder|manad|manader|mnd)"
_IN = re.compile(rf"\b(?:om|omkring|ca)\s+{_COUNT}\s+{_UNIT}\b")
# "i fire uker", "fire uker fram", "et par måneder", "i 3 mnd": how long a temporary move lasts.
# Not "om to uker" (a date), "for to uker siden" (the past) or "innen tre dager" (a deadline).
_LASTING = re.compile(rf"(?:\b(\w+)\s+)?\b{_COUNT}\s+{_UNIT}\b(\s+(?:siden|sedan))?")
_NOT_LASTING = frozenset({"om", "omkring", "ca", "innen", "inom", "senest"})
DATE_REACH = 2  # words after "til" in which an end date must be whole ("20. juni", "neste fredag")


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    ends_period: bool  # written right after "til", "till", "t.o.m.", "–"


def find_dates(text: str, today: dt.date) -> List[FoundDate]:
    """Every date in ``text``, in order."""
    text = f" {text} "
    found: List[FoundDate] = []
    position, after_until = 0, False
    pieces = []
    for match in _UNTIL.finditer(text):
        pieces.append((text[position:match.start()], after_until))
        position, after_until = match.end(), True
    pieces.append((text[position:], after_until))
    for piece, until in pieces:
        for part_index, part in enumerate(_OTHER_BREAKS.split(piece)):
            date = parse_date(part, today) or _from_now(part, today)
            if date is None:
                continue
            begins = parse_date(" ".join(part.split()[:DATE_REACH]), today) is not None
            found.append(FoundDate(date, until and part_index == 0 and begins))
    return found


def find_duration(text: str) -> Optional[relativedelta]:
    """How long a period lasts, when the message says it ("i fire uker", "ett par månader"); else None."""
    for match in _LASTING.finditer(" ".join(fold(text).split())):
        if match[1] not in _NOT_LASTING and not match[4]:
            return _length(match[2], match[3])
    return None


def _from_now(text: str, today: dt.date) -> Optional[dt.date]:
    """ "om to uker", "om 10 dagar", "om en måned": a date counted from today."""
    match = _IN.search(" ".join(fold(text).split()))
    return today + _length(match[1], match[2]) if match else None


def _length(count_text: str, unit: str) -> relativedelta:
    count = int(count_text) if count_text.isdigit() else _COUNTS[count_text]
    if unit.startswith(("dag", "dogn", "dygn")):
        return relativedelta(days=count)
    if unit.startswith(("uke", "veke", "veck")):
        return relativedelta(weeks=count)
    return relativedelta(months=count)
