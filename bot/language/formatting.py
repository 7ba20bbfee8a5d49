"""Dates, times, opening hours and amounts written the way Norwegians and Swedes write them.

"tirsdag 1. desember kl. 08–20" and "tisdag 1 december kl. 08–20" differ in
small ways that customers notice; the voice layer reads the same strings aloud.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable, Sequence, Tuple

WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
}
MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),
}
CLOSED = {"nb": "stengt", "sv": "stängt"}
AND = {"nb": "og", "sv": "och"}


def date(day: dt.date, language: str, weekday: bool = True) -> str:
    """"tirsdag 1. desember" / "tisdag 1 december"; the year only when it is not this year's."""
    dot = "." if language == "nb" else ""
    text = f"{day.day}{dot} {MONTHS[language][day.month - 1]}"
    if day.year != dt.date.today().year:
        text += f" {day.year}"
    return f"{WEEKDAYS[language][day.weekday()]} {text}" if weekday else text


def clock(time: dt.time) -> str:
    if time == dt.time.max:  # closing at midnight is written "24"
        return "24"
    return f"{time.hour:02d}" if time.minute == 0 else f"{time.hour:02d}:{time.minute:02d}"


def hours(ranges: Sequence[Tuple[dt.time, dt.time]], language: str) -> str:
    """"08–20", "08–12 og 13–16", or "stengt"."""
    if not ranges:
        return CLOSED[language]
    return f" {AND[language]} ".join(f"{clock(start)}–{clock(end)}" for start, end in ranges)


def date_time(moment: dt.datetime, language: str) -> str:
    return f"{date(moment.date(), language)} kl. {moment.strftime('%H:%M')}"


def money(amount: Decimal, currency: str, language: str) -> str:
    """"249,00 kr" in both languages; other currencies keep their code."""
    whole, _, cents = f"{amount:.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    unit = "kr" if currency in ("NOK", "SEK") else currency
    return f"{grouped},{cents} {unit}"


def listing(items: Iterable[str], language: str) -> str:
    """"a, b og c" / "a, b och c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {AND[language]} {items[-1]}"
