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
_IN = re.compile(r"\b(?:om|omkring|ca)\s+(\d{1,2}|en|ett|ei|eit|to|tva|tre|fire|fyra|fem|seks|sex)\s+"
                 r"(dag|dagar|dager|uke|uker|veke|veker|vecka|veckor|maned|maneder|manad|manader|mnd)\b")
_COUNTS = {"en": 1, "ett": 1, "ei": 1, "eit": 1, "to": 2, "tva": 2, "tre": 3, "fire": 4, "fyra": 4, "fem": 5,
           "seks": 6, "sex": 6}
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


def _from_now(text: str, today: dt.date) -> Optional[dt.date]:
    """ "om to uker", "om 10 dagar", "om en måned": a date counted from today."""
    match = _IN.search(fold(text))
    if not match:
        return None
    count = int(match[1]) if match[1].isdigit() else _COUNTS[match[1]]
    unit = match[2]
    if unit.startswith(("dag",)):
        return today + dt.timedelta(days=count)
    if unit.startswith(("uke", "veke", "veck")):
        return today + dt.timedelta(weeks=count)
    return today + relativedelta(months=count)
