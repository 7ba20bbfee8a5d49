"""What a tracking number says about a message's intent: alone it is `inform`; with a general question,
tracking; with a wish for another delivery, a booking; whatever DIET made of the words."""

import pytest

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.parcel_intent import ParcelIntent, is_bare_number


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


def classified(intent: str, entities: list, text: str = "CP710202412NO, hva skjer med den?") -> str:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.7},
                            "intent_ranking": [{"name": intent, "confidence": 0.7}], "entities": entities})
    ParcelIntent().process([message])
    return message.get("intent")["name"]


NUMBER = {"entity": "tracking_number", "value": "CP710202412NO", "start": 0, "end": 13}
MISTYPED = {"entity": "tracking_number_invalid", "value": "CP710202413NO", "start": 0, "end": 13}


def test_opening_hours_delivery_times_and_unanswerable_questions_with_a_number_are_tracking():
    for intent in ("opening_hours", "delivery_times", "unsupported_question", "out_of_scope"):
        assert classified(intent, [NUMBER]) == "track_parcel"
    assert classified("delivery_times", [MISTYPED]) == "track_parcel"


def test_without_a_number_or_with_another_task_nothing_changes():
    assert classified("opening_hours", []) == "opening_hours"
    assert classified("complaint", [NUMBER]) == "complaint"
    assert classified("book_delivery", [NUMBER]) == "book_delivery"
    assert classified("delivery_times", [{"entity": "date", "value": "fredag", "start": 0, "end": 6}]) == "delivery_times"


def test_a_delivery_wish_with_a_number_is_a_booking_whatever_it_was_read_as():
    wish = "CP710202412NO bør komme etter jobben, går det an?"
    for intent in ("track_parcel", "change_address", "inform", "opening_hours"):
        assert classified(intent, [NUMBER], wish) == "book_delivery"
    assert classified("complaint", [NUMBER], wish) == "complaint"
    assert classified("track_parcel", [], wish) == "track_parcel"  # which parcel? tracking asks


def test_a_bare_number_is_inform_whatever_it_was_read_as():
    text = "CP710202412NO"
    assert classified("complaint", [{"entity": "tracking_number", "value": text, "start": 0, "end": 13}], text) == "inform"


def test_an_override_leaves_no_tie_for_the_fallback_classifier():
    message = Message(data={"text": "CP710202412NO, når kommer den?", "intent": {"name": "delivery_times", "confidence": 0.98},
                            "intent_ranking": [{"name": "delivery_times", "confidence": 0.98},
                                               {"name": "track_parcel", "confidence": 0.02}],
                            "entities": [NUMBER]})
    ParcelIntent().process([message])
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "track_parcel", "confidence": 1.0}
    assert ranking[1]["name"] == "delivery_times" and ranking[1]["confidence"] <= 0.5
