"""Requests said outright decide the intent: a wish to complain, dismissing the errand."""

import pytest

from bot.nlu.said_outright import said_outright

NUMBER = [{"entity": "tracking_number", "value": "RR720202417SE"}]


@pytest.mark.parametrize("text, read_as", [
    ("vil reklamere på CP710202412NO, den har stått stille i en uke", "track_parcel"),
    ("hej, jag vill reklamera paketet som aldrig kom fram", "track_parcel"),
    ("vill göra en reklamation, lådan var trasig", "greet"),
    ("ønsker å klage på budet som kastet pakka over gjerdet", "inform"),
])
def test_a_complaint_said_outright_is_a_complaint(text, read_as):
    assert said_outright(text, read_as, []) == "complaint"


@pytest.mark.parametrize("text, read_as", [
    ("nei, jeg vil ikke klage, den kom i dag", "deny"),
    ("trenger ikke reklamere likevel", "track_parcel"),
    ("hvor er pakka mi", "track_parcel"),
])
def test_no_complaint_where_none_is_asked_for(text, read_as):
    assert said_outright(text, read_as, []) is None


@pytest.mark.parametrize("text", [
    "næ, glem det, jeg ringer butikken",
    "ok vet du vad, skit i det",
    "egentlig, stopp. jeg venter heller litt",
    "Avbryt! feil pakke",
    "nä men lägg ner, jag får ringa butiken",
    "ok bare la det være. takk uansett",
    "gi faen i det da",
])
def test_dismissing_the_errand_is_a_stop(text):
    assert said_outright(text, "inform", []) == "stop"


@pytest.mark.parametrize("text, entities", [
    ("kan jeg stoppe ettersendingen?", []),
    ("stopp leveringen til den gamle adressen", []),
    ("kan budet lägga ner det i lådan vid grinden", []),
    ("la det være igjen på trappa hvis jeg ikke er hjemme", []),
    ("glöm det, kolla RR720202417SE istället", NUMBER),
])
def test_stopping_something_named_or_moving_on_is_no_dismissal(text, entities):
    assert said_outright(text, "change_address", entities) is None


def test_registering_a_move_is_no_complaint():
    assert said_outright("jag vill anmäla flytt till Malmö", "inform", []) is None


def test_said_outright_is_certain_also_where_diet_doubted_it():
    assert said_outright("ingen fara, glöm det", "stop", []) == "stop"
    assert said_outright("vil klage på budet", "complaint", []) == "complaint"
