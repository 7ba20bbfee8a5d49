"""Dates as Norwegian and Swedish customers write them: "1. desember", "15.12", "imorgon", "nästa fredag"."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Optional

_MONTHS = {
    "jan": 1, "januar": 1, "januari": 1,
    "feb": 2, "februar": 2, "februari": 2,
    "mar": 3, "mars": 3,
    "apr": 4, "april": 4,
    "mai": 5, "maj": 5,
    "jun": 6, "juni": 6,
    "jul": 7, "juli": 7,
    "aug": 8, "august": 8, "augusti": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10,
    "nov": 11, "november": 11,
    "des": 12, "dec": 12, "desember": 12, "december": 12,
}
_WEEKDAYS = {
    "mandag": 0, "mandagen": 0, 
    "tirsdag": 1, "tisdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lordag": 5, "laurdag": 5,
    "sondag": 6, "sundag": 6,
}
_RELATIVE = {
    "idag": 0, "i dag": 0,
    "imorgen": 1, "i morgen": 1, "imorgon": 1, "i morgon": 1,
    "iovermorgen": 2, "i overmorgen": 2, "i overmorgon": 2, "iovermorgon": 2,
}

# Days said as ordinal words, as a caller says them and a recogniser writes them ("den trettioförsta
# januari", "tjuefemte mars"), folded; they are read as the number before a month's name.
_ORDINAL_UNITS_NB = ["forste", "andre", "tredje", "fjerde", "femte", "sjette", "syvende", "attende", "niende"]
_ORDINAL_UNITS_SV = ["forsta", "andra", "tredje", "fjarde", "femte", "sjatte", "sjunde", "attonde", "nionde"]
_ORDINAL_TEENS = {
    "tiende": 10, "ellevte": 11, "tolvte": 12, "trettende": 13, "fjortende": 14, "femtende": 15, "sekstende": 16,
    "syttende": 17, "attende": 18, "nittende": 19, "tjuende": 20, "tyvende": 20, "trettiende": 30,
    "tionde": 10, "elfte": 11, "tolfte": 12, "trettonde": 13, "fjortonde": 14, "femtonde": 15, "sextonde": 16,
    "sjuttonde": 17, "artonde": 18, "nittonde": 19, "tjugonde": 20, "trettionde": 30,
}
_ORDINALS = {
    **{word: n for units in (_ORDINAL_UNITS_NB, _ORDINAL_UNITS_SV) for n, word in enumerate(units, start=1)},
    **_ORDINAL_TEENS,
    **{f"{tens}{unit}": base + n for tens, base in (("tjue", 20), ("tjugo", 20), ("tretti", 30), ("trettio", 30))
       for units in (_ORDINAL_UNITS_NB, _ORDINAL_UNITS_SV) for n, unit in enumerate(units, start=1)},
}
_ORDINAL_DAY = re.compile(r"\b(" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")(?:\s+(?:i|av))?(?=\s+([a-z]+))")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?\b")
_WORDED = re.compile(r"\b(\d{1,2})\.?\s*(?:(?:de[nt])\s+)?([a-z]+)\.?(?:\s+(\d{4}))?")
# "slutten av mars", "i slutet av januari", "utgangen av mai", "ut februar": the month's last day.
_MONTH_END = re.compile(r"\b(?:(?:slutten|slutet|slutningen|utgangen|enden)\s+(?:av|pa|på)\s+|ut\s+)([a-z]+)\b")
_WEEKDAY = re.compile(r"\b(?:(neste|nasta|kommende|pa|på)\s+)?([a-z]+dag)(?:en)?\b")


def _fold(text: str) -> str:
    """Lower case without diacritics, so "lørdag", "lordag" and "lördag" meet."""
    text = text.lower().replace("ø", "o").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def parse_date(text: str, today: Optional[dt.date] = None) -> Optional[dt.date]:
    """The calendar date meant by ``text``; a date without a year is the next one to come."""
    today = today or dt.date.today()
    folded = _fold(text)
    for phrase, days in sorted(_RELATIVE.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{phrase}\b", folded):
            return today + dt.timedelta(days=days)
    if match := _ISO.search(folded):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    folded = _ORDINAL_DAY.sub(lambda m: str(_ORDINALS[m[1]]) if m[2] in _MONTHS else m[0], folded)
    if match := _NUMERIC.search(folded):
        day, month, year = int(match[1]), int(match[2]), match[3]
        return _with_year(day, month, year, today)
    for match in _MONTH_END.finditer(folded):
        month = _MONTHS.get(match[1])
        if month:
            return _with_year(calendar.monthrange(today.year, month)[1], month, None, today)
    for match in _WORDED.finditer(folded):
        month = _MONTHS.get(match[2])
        if month:
            return _with_year(int(match[1]), month, match[3], today)
    for match in _WEEKDAY.finditer(folded):
        weekday = _WEEKDAYS.get(match[2])
        if weekday is not None:
            ahead = (weekday - today.weekday()) % 7 or 7
            return today + dt.timedelta(days=ahead)
    return None


def _with_year(day: int, month: int, year: Optional[str], today: dt.date) -> Optional[dt.date]:
    if year:
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        return _safe_date(full_year, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
