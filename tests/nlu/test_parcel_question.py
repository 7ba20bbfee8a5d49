"""A general question that names a parcel is tracking: the back-end answers it for that parcel."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.parcel_question import ParcelQuestionIntent


def classified(intent: str, entities: list, text: str = "…") -> str:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.7},
                            "intent_ranking": [{"name": intent, "confidence": 0.7}], "entities": entities})
    ParcelQuestionIntent().process([message])
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
