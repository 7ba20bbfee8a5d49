"""A message that is only a tracking number is `inform`, whatever DIET made of its characters."""

import pytest

from bot.nlu.bare_identifier import is_bare_number


def entity(text: str, value: str, name: str = "tracking_number") -> dict:
    start = text.index(value)
    return {"entity": name, "start": start, "end": start + len(value), "value": value}


@pytest.mark.parametrize("text, number", [
    ("CP710606451NO", "CP710606451NO"),
    ("  rr 720 202 417 se. ", "rr 720 202 417 se"),
    ("370701234500000017!", "370701234500000017"),
])
def test_a_number_alone_is_bare(text, number):
    assert is_bare_number(text, [entity(text, number)])


def test_a_mistyped_number_alone_is_bare_too():
    assert is_bare_number("CP710202413NO", [entity("CP710202413NO", "CP710202413NO", "tracking_number_invalid")])


@pytest.mark.parametrize("text, number", [
    ("pakka CP710606451NO kom knust", "CP710606451NO"),
    ("hvor er rr720202417se", "rr720202417se"),
    ("nei takk, RR720606456SE har kommet", "RR720606456SE"),
])
def test_a_number_with_words_is_not_bare(text, number):
    assert not is_bare_number(text, [entity(text, number)])


def test_no_number_is_not_bare():
    assert not is_bare_number("nei takk", [])
    assert not is_bare_number("ola@example.no", [entity("ola@example.no", "ola@example.no", "email")])
