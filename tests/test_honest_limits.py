"""Honest limits: an unanswerable postal question names its topic; a mistyped number never tracks an older parcel."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from actions.tracking import TrackingNumberValidation, ValidateTrackingForm
from actions.unsupported import ActionUnsupportedQuestion, topic_of


@pytest.mark.parametrize(
    "question, topic",
    [
        ("hva koster det å sende et brev til Tyskland", "price"),
        ("va kostar ett paket till Göteborg", "price"),
        ("hvor mye toll blir det på en kjole fra USA", "customs"),
        ("måste jag betala moms på en bok från England", "customs"),
        ("kan broren min hente pakken min for meg", "proxy"),
        ("får min mamma hämta ut mitt paket med fullmakt", "proxy"),
        ("fikk en sms om å betale 30 kr for levering", "sms"),
        ("jag fick ett sms med en länk om tullavgift", "sms"),
        ("hvor kjøper man frimerker", "stamps"),
        ("söker ni brevbärare", "jobs"),
        ("hvor stor kan en pakke være", "size"),
        ("kan jag försäkra ett paket", "insurance"),
        ("er det lov å sende alkohol", "rules"),
    ],
)
def test_the_topic_of_an_unanswerable_question_is_named(question, topic):
    assert topic_of(question)[0] == topic


def _tracker(text: str, language: str = "nb", **slots) -> Tracker:
    message = {"text": text, "intent": {"name": "track_parcel"}, "entities": []}
    return Tracker("t", {"language": language, **slots}, message, [], False, None, {}, "action_listen")


@pytest.mark.parametrize(
    "text, response, topic",
    [
        ("hva koster en pakke til Bodø", "utter_unsupported_topic", "priser"),
        ("hur mycket tull blir det", "utter_unsupported_topic", "tull, moms och regler för försändelser från utlandet"),
        ("fikk sms om at pakken venter på betaling", "utter_unsupported_sms", None),
        ("kan dere hjelpe med noe helt annet", "utter_unsupported_question", None),
    ],
)
def test_the_answer_names_the_topic_in_the_customers_language(text, response, topic):
    dispatcher = CollectingDispatcher()
    language = "sv" if "tull" in text else "nb"
    asyncio.run(ActionUnsupportedQuestion().run(dispatcher, _tracker(text, language), {}))
    [sent] = dispatcher.messages
    assert sent["response"] == response
    assert sent.get("topic") == topic


@pytest.mark.parametrize(
    "latest",
    [
        "og hvor er CP71 0202 413 NO da?",
        "kan du sjekke cp710202413no også",
        "var är RR 720 202 418 SE",
    ],
)
def test_a_mistyped_number_in_the_latest_message_beats_the_parcel_tracked_before(latest):
    dispatcher = CollectingDispatcher()
    result = TrackingNumberValidation().validate_tracking_number(
        "CP710202412NO", dispatcher, _tracker(latest, tracking_number="CP710202412NO"), {}
    )
    assert result == {"tracking_number": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_tracking_number_check_digit"]


def test_the_latest_messages_valid_number_is_the_one_tracked():
    dispatcher = CollectingDispatcher()
    result = TrackingNumberValidation().validate_tracking_number(
        "CP710202412NO", dispatcher, _tracker("og denne: cp71 0303 420 no"), {}
    )
    assert result == {"tracking_number": "CP710303420NO"} and dispatcher.messages == []


def test_without_a_number_in_the_latest_message_the_parcel_discussed_stays():
    dispatcher = CollectingDispatcher()
    result = TrackingNumberValidation().validate_tracking_number(
        "CP710202412NO", dispatcher, _tracker("hvor er pakken nå da?"), {}
    )
    assert result == {"tracking_number": "CP710202412NO"} and dispatcher.messages == []


TRACKING_DOMAIN = {"forms": {"tracking_form": {"required_slots": ["tracking_number"]}}, "slots": {"tracking_number": {}}}


def _form_tracker(text: str, **slots) -> Tracker:
    message = {"text": text, "intent": {"name": "track_parcel"}, "entities": []}
    return Tracker("t", {"language": "nb", **slots}, message, [], False, None, {"name": "tracking_form"}, "action_listen")


@pytest.mark.parametrize("text", ["hvor er pakka mi, CP 7102 0241 3NO", "var är rr72 0202 418 se"])
def test_a_form_opened_by_a_mistyped_number_says_so_before_asking(text):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTrackingForm().run(dispatcher, _form_tracker(text), TRACKING_DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == ["utter_tracking_number_check_digit"]
    assert {"event": "slot", "name": "tracking_number", "value": None, "timestamp": None} in events


def test_a_form_opened_without_a_number_just_asks():
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateTrackingForm().run(dispatcher, _form_tracker("hvor er pakken min"), TRACKING_DOMAIN))
    assert dispatcher.messages == []


def _fallback_tracker(entities, active_loop=None) -> Tracker:
    message = {"text": "x", "intent": {"name": "nlu_fallback"}, "entities": entities}
    events = [{"event": "user", "parse_data": message}]
    return Tracker("t", {"language": "nb"}, message, events, False, None, active_loop or {}, "action_listen")


@pytest.mark.parametrize("entity", ["tracking_number", "tracking_number_invalid"])
def test_a_message_not_understood_but_holding_a_tracking_number_goes_to_tracking(entity):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleFallback().run(dispatcher, _fallback_tracker([{"entity": entity, "value": "CP710202413NO"}]), {}))
    assert events == [{"event": "followup", "name": "tracking_form", "timestamp": None}] and dispatcher.messages == []


def test_inside_another_form_the_fallback_does_not_jump_to_tracking():
    dispatcher = CollectingDispatcher()
    tracker = _fallback_tracker([{"entity": "tracking_number", "value": "CP710202412NO"}], {"name": "address_change_form"})
    asyncio.run(ActionHandleFallback().run(dispatcher, tracker, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_rephrase"]


def test_asking_for_a_person_that_tied_with_another_reading_gets_the_person():
    tracker = _fallback_tracker([])
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4}, {"name": "affirm", "confidence": 0.5},
        {"name": "request_human", "confidence": 0.49}]
    events = asyncio.run(ActionHandleFallback().run(CollectingDispatcher(), tracker, {}))
    assert events[-1]["event"] == "user" and events[-1]["parse_data"]["intent"]["name"] == "request_human"


def test_a_tie_without_a_person_in_it_asks_to_rephrase():
    tracker = _fallback_tracker([])
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4}, {"name": "affirm", "confidence": 0.5},
        {"name": "deny", "confidence": 0.48}, {"name": "request_human", "confidence": 0.01}]
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionHandleFallback().run(dispatcher, tracker, {})) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_rephrase"]
