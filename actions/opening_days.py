"""Which day a question about opening hours names: a holiday ("påskeaften", "nationaldagen") or a date ("17. mai").

The back-end knows each place's hours on every day, holidays included; what it cannot
know is that "2. juledag" or "midsommar" in a customer's message means 26 December or the
Friday after 18 June. The names live in opening_days.yml, one rule per day, computed for
the coming year so the answer is never about a holiday already past. The rules have the
shape of backend/holidays.yml on purpose, but are the assistant's own: a carrier's real
back-end answers hours by date and need not share our calendar code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Mapping, Optional, Tuple

import yaml
from dateutil.easter import easter
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from bot.identifiers.dates import _fold as fold, parse_date

DAYS_FILE = Path(__file__).with_name("opening_days.yml")
_WEEKDAYS = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}
# A written calendar date: "17. mai", "6 juni", "24.12", "24/12"; "24/7" means always, not July.
_WRITTEN_DATE = re.compile(r"(?<![\d/.])(?!24/7\b)\d{1,2}(?:[./]\d{1,2}(?:[./]\d{2,4})?(?![\d/])|\.?\s*[a-z]+)")


@dataclass(frozen=True)
class AskedDay:
    date: dt.date
    name: Optional[str]  # the holiday's name in the customer's language; None for a plain date


@lru_cache(maxsize=1)
def _rules() -> Tuple[Tuple[str, Mapping[str, Any]], ...]:
    """(folded words, rule) pairs, longest words first so "2 juledag" beats "juledag"."""
    days: List[Mapping[str, Any]] = yaml.safe_load(DAYS_FILE.read_text(encoding="utf-8"))["days"]
    pairs = [(str(word), day) for day in days for word in day["words"]]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _plain(text: str) -> str:
    """Folded, with dots and dashes as spaces: "2.juledag" and "2. juledag" read the same."""
    return " ".join(re.sub(r"[.\-,!?]", " ", fold(text)).split())


def asked_day(text: str, language: str, today: dt.date) -> Optional[AskedDay]:
    """The day the customer asks about, if the message names a holiday or writes a calendar date."""
    plain = _plain(text)
    for word, rule in _rules():
        if re.search(rf"\b{re.escape(word)}\b", plain):
            return AskedDay(_next(rule, today), rule["name"][language])
    for match in _WRITTEN_DATE.finditer(fold(text)):
        day = parse_date(match.group(), today)
        if day is not None:
            return AskedDay(day, None)
    return None


def _next(rule: Mapping[str, Any], today: dt.date) -> dt.date:
    """The rule's date this year, or next year's if this year's is past."""
    day = _in_year(rule, today.year)
    return day if day >= today else _in_year(rule, today.year + 1)


def _in_year(rule: Mapping[str, Any], year: int) -> dt.date:
    if "easter" in rule:
        return easter(year) + dt.timedelta(days=int(rule["easter"]))
    if "weekday" in rule:
        return _month_day(year, rule["on_or_after"]) + relativedelta(weekday=_WEEKDAYS[rule["weekday"]])
    return _month_day(year, rule["date"])


def _month_day(year: int, text: str) -> dt.date:
    month, day = text.split("-")
    return dt.date(year, int(month), int(day))


def day_label(day: AskedDay, date_text: str) -> str:
    """"påskeaften, lørdag 4. april" or just "lørdag 4. april"."""
    return f"{day.name}, {date_text}" if day.name else date_text
