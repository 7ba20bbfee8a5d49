"""Dates, hours and amounts as Norwegians and Swedes write them."""

import datetime as dt
from decimal import Decimal

from actions.carrier.model import END_OF_DAY, OpeningHours, SpecialDay
from actions.opening_hours import describe_week
from bot.language import formatting

T = dt.time


def test_dates_follow_each_language():
    day = dt.date(dt.date.today().year, 12, 1)
    assert formatting.date(day, "nb").endswith("1. desember")
    assert formatting.date(day, "sv").endswith("1 december")
    assert formatting.date(dt.date(2031, 5, 17), "nb") == "lørdag 17. mai 2031"


def test_money_uses_comma_and_kroner():
    assert formatting.money(Decimal("1249.5"), "NOK", "nb") == "1\u00a0249,50 kr"
    assert formatting.money(Decimal("312"), "SEK", "sv") == "312,00 kr"


def test_week_groups_days_with_the_same_hours():
    week = {d: ((T(8), T(20)),) for d in ("mon", "tue", "wed", "thu", "fri")}
    week["sat"] = ((T(10), T(16)),)
    hours = OpeningHours(weekly=week)
    assert describe_week(hours, "nb") == "mandag–fredag 08–20, lørdag 10–16, søndag stengt"
    assert describe_week(hours, "sv") == "måndag–fredag 08–20, lördag 10–16, söndag stängt"


def test_a_holiday_overrides_the_weekday():
    christmas_eve = dt.date(2026, 12, 24)
    hours = OpeningHours(
        weekly={"thu": ((T(8), T(20)),)},
        special_days={christmas_eve: SpecialDay({"nb": "Julaften", "sv": "Julafton"}, ((T(9), T(12)),))},
    )
    assert formatting.hours(hours.on(christmas_eve), "nb") == "09–12"
    assert formatting.hours(hours.on(dt.date(2026, 12, 27)), "sv") == "stängt"  # a Sunday


def test_hours_that_close_at_midnight_leave_no_closed_minute():
    around_the_clock = OpeningHours(weekly={"mon": ((T(0), END_OF_DAY),)})
    monday = dt.date(2026, 11, 23)
    assert around_the_clock.open_at(dt.datetime.combine(monday, T(23, 59, 30)))
    assert not around_the_clock.open_at(dt.datetime.combine(monday + dt.timedelta(days=1), T(0)))  # Tuesday: closed
    assert formatting.hours(around_the_clock.on(monday), "nb") == "00–24"
