"""Addresses checked against the real Norwegian and Swedish postcode registers."""

import pytest

from bot.identifiers.postcodes import PostcodeError, check, parse_address, register


def test_registers_are_complete_enough_to_be_real():
    assert len(register("NO")) > 5000 and len(register("SE")) > 16000
    assert register("NO")["0155"] == "OSLO" and register("SE")["41104"] == "GÖTEBORG"


@pytest.mark.parametrize("text, expected", [
    ("Storgata 5, 0155 Oslo", "Storgata 5, 0155 Oslo"),
    ("storgatan 12 41104 goteborg", "Storgatan 12, 411 04 Göteborg"),
    ("Kungsgatan 5, 111 43 STOCKHOLM", "Kungsgatan 5, 111 43 Stockholm"),
    ("Parkveien 3, 5007", "Parkveien 3, 5007 Bergen"),  # town filled in from the register
    ("Ostehøvelen 1b 7010 trondheim", "Ostehøvelen 1b, 7010 Trondheim"),
])
def test_valid_addresses_get_the_registers_town(text, expected):
    assert str(check(parse_address(text))) == expected


def test_postcode_of_another_town_names_the_right_one():
    with pytest.raises(PostcodeError) as wrong:
        check(parse_address("Storgata 5, 0155 Bergen"))
    assert wrong.value.registered_town == "Oslo" and wrong.value.written_town == "Bergen"


def test_postcode_that_does_not_exist():
    with pytest.raises(PostcodeError) as wrong:
        check(parse_address("Torggata 1, 0009 Oslo"))
    assert wrong.value.registered_town is None


@pytest.mark.parametrize("text", ["bare en gate", "0155 Oslo", "", "12345"])
def test_without_street_or_postcode_there_is_no_address(text):
    assert parse_address(text) is None


@pytest.mark.parametrize("text", ["Storgata 1, 9008 Tromsoe", "Kongens gate 2, 6002 Aalesund", "Torget 1, 6002 ålesund"])
def test_towns_written_with_oe_and_aa(text):
    check(parse_address(text))
