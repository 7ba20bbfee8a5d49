"""A delivery wish said while the parcel number was still asked for books the delivery once the number comes."""

from rasa_sdk import Tracker

from actions.tracking import _errand_texts


def tracker(events):
    return Tracker("t", {"language": "sv"}, {"text": events[-1].get("text")}, events, False, None, {}, "action_listen")


def user(text):
    return {"event": "user", "text": text}


OPEN = {"event": "active_loop", "name": "tracking_form"}
CLOSED = {"event": "active_loop", "name": None}


def test_the_messages_of_this_errand_are_the_opening_one_and_the_answers():
    events = [user("hej"), {"event": "bot", "text": "Hej!"}, user("jag vill ändra när paketet ska levereras"), OPEN,
              {"event": "bot", "text": "Vad är spårningsnumret?"}, user("RR720101400SE"), CLOSED]
    assert _errand_texts(tracker(events)) == ["RR720101400SE", "jag vill ändra när paketet ska levereras"]


def test_an_earlier_errand_is_not_this_one():
    events = [user("kan paketet läggas i brevlådan istället"), OPEN, CLOSED, user("var är RR720202417SE"), OPEN, CLOSED]
    assert _errand_texts(tracker(events)) == ["var är RR720202417SE"]
