"""Public holidays of Norway and Sweden, computed for any year from the rules in `holidays.yml`.

Computed rather than listed so opening hours stay right year after year; Easter
comes from dateutil, midsummer and All Saints' Day from "first weekday on or after".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml
from dateutil.easter import easter
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

HOLIDAYS_FILE = Path(__file__).with_name("holidays.yml")
_WEEKDAYS: Dict[str, weekday] = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}


@dataclass(frozen=True)
class Holiday:
    key: str  # what opening hours refer to under `holiday_hours`
    date: dt.date
    name: Mapping[str, str]  # language -> name


class HolidayCalendar:
    def __init__(self, rules: Mapping[str, List[Mapping[str, Any]]]) -> None:
        self.rules = rules

    @classmethod
    def load(cls, path: Path = HOLIDAYS_FILE) -> "HolidayCalendar":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def between(self, country: str, first: dt.date, last: dt.date) -> List[Holiday]:
        """Every holiday of `country` from `first` to `last` inclusive, in date order."""
        found = [
            Holiday(rule["key"], day, dict(rule["name"]))
            for year in range(first.year, last.year + 1)
            for rule in self.rules[country]
            for day in [_date_in(year, rule)]
            if first <= day <= last
        ]
        return sorted(found, key=lambda holiday: holiday.date)

    def is_working_day(self, country: str, day: dt.date) -> bool:
        """Monday to Friday and not a holiday: the days parcels are delivered."""
        return day.weekday() < 5 and not self.between(country, day, day)

    def working_day(self, country: str, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (1 = the next one)."""
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            count -= self.is_working_day(country, day)
        return day


def _date_in(year: int, rule: Mapping[str, Any]) -> dt.date:
    if "easter" in rule:
        return easter(year) + dt.timedelta(days=int(rule["easter"]))
    if "weekday" in rule:
        start = _month_day(year, rule["on_or_after"])
        return start + relativedelta(weekday=_WEEKDAYS[rule["weekday"]])
    return _month_day(year, rule["date"])


def _month_day(year: int, text: str) -> dt.date:
    month, day = text.split("-")
    return dt.date(year, int(month), int(day))
