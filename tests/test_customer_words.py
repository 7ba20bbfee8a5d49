"""How the actions read customers' own words: anger, delivery options, corrections, delivery-time questions."""

import datetime as dt

import pytest

from actions.anger import is_angry
from actions.carrier.model import DeliveryOption
from actions.choices import match_choice
from actions.delivery_times import _mentioned
from actions.option_choice import read_option


@pytest.mark.parametrize("text", [
    "dere er noen udugelige idioter", "HVOR ER PAKKEN MIN, DETTE ER LATTERLIG!!!",
    "fy faen, tredje gang", "ni är helt värdelösa", "jag är så trött på er, det här är löjligt!!",
])
def test_angry_or_abusive(text):
    assert is_angry(text)


@pytest.mark.parametrize("text", [
    "jeg vil klage, pakken kom knust", "jag vill reklamera ett paket som kom trasigt",
    "Hei! Pakken er skadet.", "VAR ÄR MITT PAKET",
])
def test_plain_complaints_are_not_angry(text):
    assert not is_angry(text)


OPTIONS = [
    DeliveryOption("o1", "home_evening", dt.date(2026, 11, 24), (dt.time(17), dt.time(21))),
    DeliveryOption("o2", "pickup_point", dt.date(2026, 11, 25), None, "Coop Extra Grünerløkka"),
    DeliveryOption("o3", "mailbox", dt.date(2026, 11, 26)),
]


@pytest.mark.parametrize("answer, expected", [
    ("o2", "o2"), ("2", "o2"), ("nr 3", "o3"), ("kvelden", "o1"), ("i postkassen takk", "o3"), ("blå", None),
])
def test_delivery_option_by_payload_number_or_words(answer, expected):
    option = read_option(answer, OPTIONS, dt.date(2026, 11, 23)).chosen
    assert (option.id if option else None) == expected


@pytest.mark.parametrize("text, field", [
    ("nei vent, datoen er feil", "moving_date"), ("ny adresse er feil", "new_address"),
    ("fel namn", "person_name"), ("jag vill ändra eftersändning", "mail_forwarding"), ("ja", None),
])
def test_which_field_the_customer_wants_to_correct(text, field):
    assert match_choice("address_change_field", text) == field


@pytest.mark.parametrize("text, service, route", [
    ("hvor lang tid tar et brev til tyskland", "letter", "europe"),
    ("hur lång tid tar ett paket inom sverige", "parcel", "domestic_se"),
    ("sende ekspress til usa?", "express", "world"),
    ("hvor lang tid tar det", None, None),
])
def test_service_and_route_from_the_question(text, service, route):
    assert _mentioned("services", text) == service and _mentioned("routes", text) == route
