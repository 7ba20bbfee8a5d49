"""Weight, destination and kind of item in a question about sending something, as customers write them."""

import pytest

from bot.understanding.shipping import destination, is_letter, weight_grams


@pytest.mark.parametrize("text, grams", [
    ("hva koster en pakke på 4kg", 4000),
    ("skal sende ca 1,5 kilo bøker", 1500),
    ("brevet veier 80 gram", 80),
    ("et halvt kilo kaffe til mormor", 500),
    ("tre kilo julegaver", 3000),
    ("två och en halv kilo", 2500),
    ("paketet väger 12 kg ungefär", 12000),
    ("ett litet kuvert på 30g", 30),
    ("hva koster det å sende en pakke", None),
    ("jeg bor i etasje 2", None),
])
def test_weight(text, grams):
    assert weight_grams(text) == grams


@pytest.mark.parametrize("text, home, code", [
    ("hva koster det å sende til spania", "NO", "ES"),
    ("pakke fra Kina til Norge", "NO", "NO"),
    ("vad kostar ett brev till Tyskland från Sverige", "SE", "DE"),
    ("sende en pakke til Hammerfest", "NO", "NO"),
    ("skicka till Kiruna", "SE", "SE"),
    ("till aland", "SE", "AX"),
    ("paket till nya zeeland", "SE", "NZ"),
    ("hva koster porto", "NO", None),
])
def test_destination(text, home, code):
    found = destination(text, home)
    assert (found.code if found else None) == code


def test_a_town_of_the_home_country_is_domestic_and_named():
    assert destination("ei pakke til mo i rana", "NO").town == "Mo i Rana"
    assert destination("paket till Göteborg", "SE").town == "Göteborg"


def test_letters_and_cards_are_letters_and_the_rest_parcels():
    assert is_letter("hva koster et julekort til USA") and is_letter("ett vykort till Norge")
    assert not is_letter("en eske med bøker")
