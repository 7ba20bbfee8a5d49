"""Closed questions answered in the customer's own words, and yes/no to the bot's own offers.

The answers here are written as customers write (no æøå, dialect, typos, several wishes in
one message); none of them is a label of a button.
"""

import asyncio
import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionCancelForm
from actions.carrier.model import DeliveryOption
from actions.choices import change_type_of, match_choice, says_cancel, yes_or_no
from actions.closed_answers import answered_slot
from actions.offers import ActionAnswerOffer, open_offer
from actions.option_choice import read_option

TUESDAY = dt.date(2026, 3, 10)
T = dt.time
# As backend/rules.yml offers them: Norway evening/pickup/mailbox/evening, Sweden day/evening/locker/pickup.
NORWAY = [
    DeliveryOption("ev-11", "home_evening", dt.date(2026, 3, 11), (T(17), T(21))),
    DeliveryOption("pp-11", "pickup_point", dt.date(2026, 3, 11), None, "Extra Bergen Storsenter"),
    DeliveryOption("mb-12", "mailbox", dt.date(2026, 3, 12)),
    DeliveryOption("ev-12", "home_evening", dt.date(2026, 3, 12), (T(17), T(21))),
]
SWEDEN = [
    DeliveryOption("day-11", "home_daytime", dt.date(2026, 3, 11), (T(9), T(17))),
    DeliveryOption("eve-11", "home_evening", dt.date(2026, 3, 11), (T(17), T(22))),
    DeliveryOption("box-11", "parcel_locker", dt.date(2026, 3, 11), None, "Paketskåp Coop Mölndal"),
    DeliveryOption("pp-12", "pickup_point", dt.date(2026, 3, 12), None, "ICA Kvantum Mölndal"),
]


def _ids(answer):
    return answer.chosen.id if answer.chosen else sorted(o.id for o in answer.candidates)


@pytest.mark.parametrize("options, text, expected", [
    (NORWAY, "torsdag passer best, kvelden", "ev-12"),
    (NORWAY, "kan den bare legges i postkassa", "mb-12"),
    (NORWAY, "jeg henter den sjøl på extra", "pp-11"),
    (NORWAY, "onsdag etter jobben", "ev-11"),
    (NORWAY, "nei, heller hente selv", "pp-11"),
    (NORWAY, "ikke kveld, postkassen er best", "mb-12"),
    (NORWAY, "i morgen kveld", "ev-11"),
    (NORWAY, "helst ikke i postkassen, men på torsdag", "ev-12"),
    (NORWAY, "etter klokka 18 på onsdag", "ev-11"),
    (NORWAY, "det fjerde alternativet", "ev-12"),
    (NORWAY, "nr 3 takk", "mb-12"),
    (NORWAY, "mb-12", "mb-12"),
    (SWEDEN, "hemma på dagtid går bra", "day-11"),
    (SWEDEN, "leverans på kvällstid tack", "eve-11"),
    (SWEDEN, "jag hämtar själv på ICA", "pp-12"),
    (SWEDEN, "lägg det i paketskåpet", "box-11"),
    (SWEDEN, "efter helgen funkar inte, men på torsdag hämtar jag", "pp-12"),
    (SWEDEN, "helst på eftermiddagen om det går", "day-11"),
    (SWEDEN, "på morgonen", "day-11"),
    (SWEDEN, "så sent som möjligt", "pp-12"),
    (SWEDEN, "paketskapet", "box-11"),
])
def test_one_option_fits_the_words(options, text, expected):
    assert _ids(read_option(text, options, TUESDAY)) == expected


@pytest.mark.parametrize("options, text, expected", [
    (NORWAY, "på kveldstid", ["ev-11", "ev-12"]),
    (NORWAY, "onsdag", ["ev-11", "pp-11"]),
    (NORWAY, "kan dere komme etter jobb", ["ev-11", "ev-12"]),
    (NORWAY, "tidligst mulig", ["ev-11", "pp-11"]),
    (SWEDEN, "i morgon", ["box-11", "day-11", "eve-11"]),
    (SWEDEN, "hem till mig", ["day-11", "eve-11"]),
])
def test_several_options_fit_equally_and_are_asked_about(options, text, expected):
    assert _ids(read_option(text, options, TUESDAY)) == expected


@pytest.mark.parametrize("options, text", [
    (NORWAY, "kan dere komme på lørdag"),
    (NORWAY, "i paketskåpet"),
    (SWEDEN, "lägg det i brevlådan"),
    (SWEDEN, "på förmiddagen på torsdag"),
])
def test_a_wish_the_back_end_does_not_offer_is_not_taken_for_another(options, text):
    answer = read_option(text, options, TUESDAY)
    assert answer.chosen is None and answer.candidates == [] and answer.named_something


@pytest.mark.parametrize("text", ["hmm", "vet ikke helt jeg", "vad tycker du"])
def test_words_that_name_nothing(text):
    assert not read_option(text, NORWAY, TUESDAY).named_something


def test_numbers_after_a_clarifying_question_count_in_that_question():
    shown = [NORWAY[0], NORWAY[3]]
    assert read_option("2", NORWAY, TUESDAY, shown).chosen.id == "ev-12"
    assert read_option("den første", NORWAY, TUESDAY, shown).chosen.id == "ev-11"
    assert read_option("torsdagen", NORWAY, TUESDAY, shown).chosen.id == "ev-12"
    assert read_option("næh, ta postkassen i stedet", NORWAY, TUESDAY, shown).chosen.id == "mb-12"


@pytest.mark.parametrize("text, expected", [
    ("for godt, vi har kjøpt leilighet", "permanent"),
    ("fast, vi kommer ikke tilbake", "permanent"),
    ("för gott", "permanent"),
    ("nej inte tillfälligt", "permanent"),
    ("permanant", "permanent"),
    ("bare en periode mens huset pusses opp", "temporary"),
    ("tar et semester i Trondheim", "temporary"),
    ("pendler til Stavanger noen måneder", "temporary"),
    ("ska vara på landet över sommaren", "temporary"),
    ("jobbar i Luleå några veckor", "temporary"),
    ("bara en stund", "temporary"),
    ("midlertidlig", "temporary"),
    ("vet ikke", None),
])
def test_permanent_or_temporary_from_prose(text, expected):
    assert change_type_of(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("pakka kom fram helt knust", "damaged"),
    ("kartongen var blöt och allt var förstört", "damaged"),
    ("det er bulker i hele esken", "damaged"),
    ("den har forsvunne sporlost", "lost"),
    ("paketet kom aldrig fram", "lost"),
    ("står som levererad men jag har inte fått något", "lost"),
    ("halvparten av tingene var ikkje med", "missing_contents"),
    ("det fattades en del saker i lådan", "missing_contents"),
    ("har venta i tre uker", "delayed"),
    ("det har inte kommit än", "delayed"),
])
def test_what_happened_to_the_parcel(text, expected):
    assert match_choice("complaint_type", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("jada", True), ("absolut", True), ("kör på", True), ("gjerne", True),
    ("nä", False), ("nei takk", False), ("nej det behövs inte", False), ("trenger ikke, takk", False),
    ("ja, men uten ettersending", False), ("kanskje", None),
])
def test_yes_or_no_in_words(text, expected):
    assert yes_or_no(text) is expected


@pytest.mark.parametrize("text, cancel", [
    ("nei, heller hente selv", False), ("nej, hellre i brevlådan", False),
    ("glem det, jeg henter selv", True), ("avbryt bokningen", True),
])
def test_cancel_words(text, cancel):
    assert says_cancel(text) is cancel


def _tracker(events=None, slots=None, text="", intent="affirm", loop=None):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = (events or []) + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("kari", {"language": "nb", **(slots or {})}, latest, events, False, None,
                   {"name": loop} if loop else {}, "action_listen")


def _bot(response, buttons=None):
    return {"event": "bot", "text": "…", "data": {"buttons": buttons}, "metadata": {"utter_action": response}}


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, [m.get("response") for m in dispatcher.messages]


def test_yes_to_a_complaint_offer_becomes_the_complaint_request():
    tracker = _tracker([_bot("utter_shipment_delivered")], text="ja gjerne")
    events, said = _run(ActionAnswerOffer(), tracker)
    assert said == []
    assert [e["event"] for e in events] == ["rewind", "action", "user"]
    assert events[-1]["parse_data"]["intent"]["name"] == "complaint" and events[-1]["text"] == "ja gjerne"


def test_yes_to_a_person_button_asks_for_a_person():
    buttons = [{"title": "Prata med en person", "payload": "/request_human"}]
    events, _ = _run(ActionAnswerOffer(), _tracker([_bot("utter_some_new_limit", buttons)], text="japp"))
    assert events[-1]["parse_data"]["intent"]["name"] == "request_human"


def test_no_to_an_offer_and_yes_without_one():
    assert _run(ActionAnswerOffer(), _tracker([_bot("utter_shipment_delivery_attempted")], text="nä", intent="deny"))[1] == [
        "utter_offer_declined"]
    assert _run(ActionAnswerOffer(), _tracker([_bot("utter_greet")], text="ja"))[1] == ["utter_how_can_i_help"]
    assert _run(ActionAnswerOffer(), _tracker([_bot("utter_address_change_done")], text="nei takk", intent="deny"))[1] == [
        "utter_goodbye"]


def test_an_offer_made_before_the_previous_message_is_no_longer_open():
    events = [_bot("utter_shipment_delivered"), {"event": "user", "text": "takk"}, _bot("utter_greet")]
    assert open_offer(events + [{"event": "user", "text": "ja"}]) is None


def test_two_request_buttons_offer_nothing_certain():
    buttons = [{"title": "Spor", "payload": "/track_parcel"}, {"title": "Person", "payload": "/request_human"}]
    assert open_offer([_bot("utter_something", buttons), {"event": "user", "text": "ja"}]) is None


def _slot_option(option):
    return {"id": option.id, "kind": option.kind, "date": option.date.isoformat(),
            "window": [t.isoformat("minutes") for t in option.window] if option.window else None,
            "pickup_point_name": option.pickup_point_name}


def test_stop_that_names_an_option_is_an_answer():
    slots = {"requested_slot": "delivery_option", "delivery_options": [_slot_option(o) for o in NORWAY]}
    tracker = _tracker(slots=slots, text="nei, heller i postkassen", intent="stop", loop="booking_form")
    events, said = _run(ActionCancelForm(), tracker)
    assert said == []
    assert events == [{"event": "slot", "timestamp": None, "name": "delivery_option", "value": "nei, heller i postkassen"},
                      {"event": "followup", "timestamp": None, "name": "booking_form"}]


@pytest.mark.parametrize("slot, text, value", [
    ("mail_forwarding", "nej, det behövs inte", False),
    ("change_type", "neida, bare over sommeren", "neida, bare over sommeren"),
    ("complaint_type", "nei, den kom aldri", "nei, den kom aldri"),
    ("mail_forwarding", "avbryt, jeg vil ikke flytte likevel", None),
    ("person_name", "nei stopp", None),
])
def test_which_stops_answer_the_question(slot, text, value):
    answered = answered_slot(_tracker(slots={"requested_slot": slot}, text=text, intent="stop"))
    assert (answered[1] if answered else None) == value


def test_inside_a_form_yes_takes_an_offered_person_and_anything_else_repeats_the_question():
    buttons = [{"title": "Snakk med en person", "payload": "/request_human"}]
    slots = {"requested_slot": "tracking_number"}
    events, _ = _run(ActionAnswerOffer(), _tracker([_bot("utter_tracking_unknown", buttons)], slots, "jepp", loop="tracking_form"))
    assert events[-1]["parse_data"]["intent"]["name"] == "request_human"
    domain = {"responses": {"utter_ask_tracking_number": [{"text": "Hva er sporingsnummeret?"}]}}
    dispatcher = CollectingDispatcher()
    tracker = _tracker([_bot("utter_tracking_unknown", buttons)], slots, "nei", intent="deny", loop="tracking_form")
    assert asyncio.run(ActionAnswerOffer().run(dispatcher, tracker, domain)) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_tracking_number"]


def _domain():
    import yaml

    from bot import project

    responses = {}
    for file in sorted(project.DOMAIN.glob("*.yml")):
        responses.update(yaml.safe_load(file.read_text()).get("responses") or {})
    return {"responses": responses}


def _booking_tracker(text, candidates=None):
    today = dt.date.today()
    options = [DeliveryOption(o.id, o.kind, today + (o.date - TUESDAY), o.window, o.pickup_point_name) for o in NORWAY]
    slots = {"requested_slot": "delivery_option", "tracking_number": "CP710202412NO",
             "delivery_options": [_slot_option(o) for o in options], "delivery_option_candidates": candidates}
    return _tracker(slots=slots, text=text, intent="inform", loop="booking_form")


def test_booking_asks_which_of_the_fitting_options_and_keeps_them_for_the_next_answer():
    from actions.booking import ActionAskDeliveryOption, ValidateBookingForm

    dispatcher = CollectingDispatcher()
    slots = asyncio.run(ValidateBookingForm().validate_delivery_option(
        "kveldstid helst", dispatcher, _booking_tracker("kveldstid helst"), _domain()))
    assert slots == {"delivery_option": None, "delivery_option_candidates": ["ev-11", "ev-12"]} and not dispatcher.messages

    asked = CollectingDispatcher()
    asyncio.run(ActionAskDeliveryOption().run(asked, _booking_tracker("", ["ev-11", "ev-12"]), _domain()))
    [question] = asked.messages
    assert question["response"] == "utter_delivery_option_which"
    assert [b["title"][:2] for b in question["buttons"]] == ["1.", "2."] and " eller " in question["choices"]
    assert all("kvelden" in b["title"] for b in question["buttons"])

    unclear = CollectingDispatcher()
    slots = asyncio.run(ValidateBookingForm().validate_delivery_option(
        "hmm", unclear, _booking_tracker("hmm", ["ev-11", "ev-12"]), _domain()))
    assert slots == {"delivery_option": None}  # the clarifying question is asked again
    assert [m["response"] for m in unclear.messages] == ["utter_delivery_option_not_understood"]


def test_booking_says_so_when_the_wish_is_not_among_the_options():
    from actions.booking import ValidateBookingForm

    dispatcher = CollectingDispatcher()
    slots = asyncio.run(ValidateBookingForm().validate_delivery_option(
        "i pakkeautomaten", dispatcher, _booking_tracker("i pakkeautomaten"), _domain()))
    assert slots == {"delivery_option": None, "delivery_option_candidates": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_option_not_offered"]


def test_yes_that_names_another_parcel_tracks_it_although_rasa_already_put_it_in_the_slot():
    """Rasa fills `tracking_number` from the message's entity before the action runs; the offer was about the old one."""
    text = "ja den kom, men har du sjekket RR720202417SE også"
    latest = {"text": text, "intent": {"name": "affirm", "confidence": 0.9},
              "entities": [{"entity": "tracking_number", "value": "RR720202417SE"}]}
    events = [{"event": "slot", "name": "tracking_number", "value": "CP710606451NO"}, _bot("utter_shipment_delivered"),
              {"event": "user", "text": text, "parse_data": latest},
              {"event": "slot", "name": "tracking_number", "value": "RR720202417SE"}]
    tracker = Tracker("kari", {"language": "nb", "tracking_number": "RR720202417SE"}, latest, events, False, None, {},
                      "action_listen")
    events, said = _run(ActionAnswerOffer(), tracker)
    assert events[-1]["parse_data"]["intent"]["name"] == "track_parcel"
