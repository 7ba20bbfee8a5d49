"""Opening hours as the API returns them: the weekly pattern plus the holidays ahead.

Weekly hours and exceptions come from the demo data; which days are holidays
comes from the calendar, so a place only says how it differs on a holiday and is
otherwise closed then.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any, Dict, List, Mapping, Sequence

from backend.holidays import Holiday

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Hours = List[List[str]]  # [["08:00", "20:00"], ...]


def opening_hours(
    weekly: Mapping[str, Hours], holiday_hours: Mapping[str, Hours], holidays: Sequence[Holiday]
) -> Dict[str, Any]:
    """OpeningHours JSON; two holidays on one date (17 May on Whit Monday) become one special day."""
    special_days = []
    for day, same_day in groupby(holidays, key=lambda holiday: holiday.date):
        names = list(same_day)
        special_days.append(
            {
                "date": day.isoformat(),
                "name": {language: " / ".join(h.name[language] for h in names) for language in names[0].name},
                "hours": next((holiday_hours[h.key] for h in names if h.key in holiday_hours), []),
            }
        )
    return {"weekly": {day: list(weekly.get(day, [])) for day in WEEKDAYS}, "special_days": special_days}


def special_days_window(today: dt.date, days_ahead: int) -> tuple[dt.date, dt.date]:
    """From New Year of this year to at least `days_ahead` days ahead and the end of next year."""
    last = max(today + dt.timedelta(days=days_ahead), dt.date(today.year + 1, 12, 31))
    return dt.date(today.year, 1, 1), last
