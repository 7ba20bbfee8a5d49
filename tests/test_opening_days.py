"""Opening hours on a named day: the holiday or date is read from the message, the hours come from the back-end."""

import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.carrier.model import CustomerService, OpeningHours, SpecialDay
from actions.opening_days import asked_day
from actions.opening_hours import ActionOpeningHours

TODAY = dt.date(2026, 3, 2)  # a Monday before Easter 2026 (Easter Sunday 5 April)


@pytest.mark.parametrize(
    "message, language, date, name",
    [
        ("har dere åpent påskeaften?", "nb", dt.date(2026, 4, 4), "påskeaften"),
        ("er kundeservice åpen paskeaften", "nb", dt.date(2026, 4, 4), "påskeaften"),
        ("åpent skjærtorsdag eller?", "nb", dt.date(2026, 4, 2), "skjærtorsdag"),
        ("kan jeg ringe dere 2.påskedag", "nb", dt.date(2026, 4, 6), "2. påskedag"),
        ("er dere åpne andre juledag", "nb", dt.date(2026, 12, 26), "2. juledag"),
        ("har dere åpent på nasjonaldagen", "nb", dt.date(2026, 5, 17), "17. mai"),
        ("syttende mai, er dere på jobb da?", "nb", dt.date(2026, 5, 17), "17. mai"),
        ("öppet på nationaldagen?", "sv", dt.date(2026, 6, 6), "nationaldagen"),
        ("har ni oppet pa midsommar", "sv", dt.date(2026, 6, 19), "midsommarafton"),
        ("har ni öppet midsommardagen", "sv", dt.date(2026, 6, 20), "midsommardagen"),
        ("öppettider annandag påsk?", "sv", dt.date(2026, 4, 6), "annandag påsk"),
        ("har kundtjänst öppet på kristi himmelsfärd", "sv", dt.date(2026, 5, 14), "Kristi himmelsfärdsdag"),
        ("har ni öppet på alla helgons dag", "sv", dt.date(2026, 10, 31), "alla helgons dag"),
        ("öppet på nyårsafton", "sv", dt.date(2026, 12, 31), "nyårsafton"),
    ],
)
def test_a_holiday_named_in_either_language_is_the_next_such_day(message, language, date, name):
    day = asked_day(message, language, TODAY)
    assert (day.date, day.name) == (date, name)


def test_a_holiday_already_past_this_year_is_next_years():
    assert asked_day("åpent nyttårsdag?", "nb", dt.date(2026, 3, 2)).date == dt.date(2027, 1, 1)
    assert asked_day("öppet på trettondagen", "sv", dt.date(2026, 1, 7)).date == dt.date(2027, 1, 6)


@pytest.mark.parametrize(
    "message, date",
    [("åpent 24.12?", dt.date(2026, 12, 24)), ("har ni öppet den 2 maj", dt.date(2026, 5, 2)), ("er dere åpne 1/4", dt.date(2026, 4, 1))],
)
def test_a_written_date_is_a_day_without_a_name(message, date):
    day = asked_day(message, "nb", TODAY)
    assert (day.date, day.name) == (date, None)


@pytest.mark.parametrize(
    "message",
    ["når åpner kundeservice", "har dere åpent i påsken", "er pakkeboksen åpen 24/7", "åpent til 16.00?", "öppettider i julen"],
)
def test_a_question_without_a_day_asks_for_the_week(message):
    assert asked_day(message, "nb", TODAY) is None


def _service() -> CustomerService:
    weekday = ((dt.time(8), dt.time(20)),)
    hours = OpeningHours(
        weekly={"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday, "sat": ((dt.time(10), dt.time(16)),)},
        special_days={
            dt.date(2026, 12, 24): SpecialDay({"nb": "Julaften", "sv": "Julafton"}, ((dt.time(9), dt.time(12)),)),
            dt.date(2026, 12, 26): SpecialDay({"nb": "2. juledag", "sv": "Annandag jul"}, ()),
        },
    )
    return CustomerService(phone="04045", opening_hours=hours)


@pytest.mark.parametrize(
    "message, language, response, hours",
    [
        ("åpent julaften?", "nb", "utter_opening_hours_day", "09–12"),
        ("öppet på julafton", "sv", "utter_opening_hours_day", "09–12"),
        ("åpent andre juledag?", "nb", "utter_opening_hours_day_closed", None),
        ("har dere åpent påskeaften", "nb", "utter_opening_hours_day", "10–16"),  # a Saturday, not a holiday
        ("öppet på påskdagen", "sv", "utter_opening_hours_day_closed", None),  # a Sunday
    ],
)
def test_the_days_hours_come_from_the_back_ends_calendar(message, language, response, hours):
    dispatcher = CollectingDispatcher()
    day = asked_day(message, language, TODAY)
    ActionOpeningHours._day_hours(dispatcher, _service(), day, language)
    [sent] = dispatcher.messages
    assert sent["response"] == response
    assert sent.get("day_hours") == hours
    assert day.name in sent["day"]
