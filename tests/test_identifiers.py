"""Dates, phone numbers, e-mails and postcodes in Norwegian and Swedish customer writing."""

import datetime as dt

import pytest

from bot.identifiers.contact import find_phone_numbers, normalise_phone, normalise_postcode, parse_email
from bot.identifiers.dates import parse_date

TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1. desember", dt.date(2026, 12, 1)),
        ("fra 15.12", dt.date(2026, 12, 15)),
        ("den 3 januari", dt.date(2027, 1, 3)),
        ("imorgon", dt.date(2026, 11, 24)),
        ("i morgen", dt.date(2026, 11, 24)),
        ("nästa fredag", dt.date(2026, 11, 27)),
        ("lørdag", dt.date(2026, 11, 28)),
        ("mandag", dt.date(2026, 11, 30)),
        ("2027-02-01", dt.date(2027, 2, 1)),
        ("01.12.26", dt.date(2026, 12, 1)),
        ("1. november", dt.date(2027, 11, 1)),  # already past this year
        ("den tjugosjunde december", dt.date(2026, 12, 27)),  # a day said as a word, as a recogniser writes it
        ("fjortende januar", dt.date(2027, 1, 14)),
        ("till den trettioförsta mars", dt.date(2027, 3, 31)),
        ("den andra i februari", dt.date(2027, 2, 2)),
        ("i slutten av januar", dt.date(2027, 1, 31)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["snart", "31.02", "asap", "", "den tredje", "andre gang", "trettioförsta februari"])
def test_not_dates(text):
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("98765432", "+4798765432"),
        ("+47 987 65 432", "+4798765432"),
        ("070-123 45 67", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("12345678", None),
        ("123", None),
    ],
)
def test_phone_numbers(text, expected):
    assert normalise_phone(text) == expected


def test_phone_numbers_in_text():
    assert [v for v, *_ in find_phone_numbers("ring meg på 987 65 432 etter kl 16")] == ["+4798765432"]


def test_email_and_postcodes():
    assert parse_email("det er Kari.Nordmann@Gmail.com takk") == "kari.nordmann@gmail.com"
    assert parse_email("kari at gmail") is None
    assert normalise_postcode("114 55") == "11455"
    assert normalise_postcode("0150") == "0150"
    assert normalise_postcode("150") is None
