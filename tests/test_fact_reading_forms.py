"""The address change form's validation action with the fact reader, run as Rasa runs it (no servers).

The tracker is the one Rasa's FormAction sends: the customer's message, then the form's slot
candidates (the requested slot's text from its `from_text` mapping).
"""

import asyncio
import datetime as dt
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.address_change import ValidateAddressChangeForm
from bot import project

IN_20_DAYS = dt.date.today() + dt.timedelta(days=20)
IN_30_DAYS = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(project.DOMAIN)).as_dict()


def run_form(domain, text: str, requested: Optional[str] = None, filled: Optional[Dict[str, Any]] = None,
             earlier: List[str] = (), language: str = "nb", intent: str = "inform"):
    """Slot values the validation action returns, and the responses it said."""
    slots = {"language": language, "requested_slot": requested, **(filled or {})}
    events: List[Dict[str, Any]] = []
    for old in earlier:
        events += [{"event": "user", "text": old}, {"event": "bot", "text": "…"}]
    events += [{"event": "slot", "name": name, "value": value} for name, value in (filled or {}).items()]
    events += [{"event": "user", "text": text}, {"event": "action", "name": "address_change_form"}]
    if requested:  # the requested slot's text, as its from_text mapping gives it
        events.append({"event": "slot", "name": requested, "value": text})
    tracker = Tracker("test", slots, {"text": text, "intent": {"name": intent}, "entities": []}, events, False,
                      None, {"name": "address_change_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ValidateAddressChangeForm().run(dispatcher, tracker, domain))
    values = {event["name"]: event["value"] for event in returned if event.get("event") == "slot"}
    return values, dispatcher.messages


def test_a_message_with_the_whole_move_goes_straight_to_the_summary(domain):
    values, said = run_form(domain, f"Hei! Jeg heter Ola Bakke og flytter fra Storgata 5, 0155 Oslo til "
                                    f"Bryggen 12, 5003 Bergen {IN_20_DAYS:%d.%m.%Y}, for godt")
    assert values["person_name"] == "Ola Bakke"
    assert values["old_address"] == "Storgata 5, 0155 Oslo" and values["new_address"] == "Bryggen 12, 5003 Bergen"
    assert values["moving_date"] == IN_20_DAYS.isoformat() and values["change_type"] == "permanent"
    assert values["mail_forwarding"] is True
    assert values["requested_slot"] == "address_change_confirmed" and said == []


def test_a_name_told_before_the_form_started_is_used(domain):
    values, _ = run_form(domain, "jag ska flytta", earlier=["hej! jag heter Karin af Ekenstam"], language="sv")
    assert values["person_name"] == "Karin af Ekenstam" and values["requested_slot"] == "old_address"


def test_a_correction_while_another_question_is_open_changes_that_field_and_says_so(domain):
    filled = {"person_name": "Ola Bakke", "old_address": "Storgata 5, 0155 Oslo"}
    values, said = run_form(domain, "skrev feil husnummer, det er 12", requested="new_address", filled=filled)
    assert values["old_address"] == "Storgata 12, 0155 Oslo"
    assert values["new_address"] is None and values["requested_slot"] == "new_address"  # asked again, no error
    assert [m["response"] for m in said] == ["utter_changed_field"]
    assert said[0]["value_text"] == "Storgata 12, 0155 Oslo" and said[0]["field_text"] == "adressen du flytter fra"


def test_a_swedish_postcode_correction_takes_the_registers_town(domain):
    filled = {"person_name": "Per Ek", "old_address": "Kungsgatan 5, 111 43 Stockholm",
              "new_address": "Storgatan 12, 411 04 Göteborg"}
    values, said = run_form(domain, "postnumret ska vara 41103", requested="moving_date", filled=filled, language="sv")
    assert values["new_address"] == "Storgatan 12, 411 03 Göteborg" and values["moving_date"] is None
    assert said[0]["response"] == "utter_changed_field" and said[0]["field_text"] == "adressen du flyttar till"


def test_an_address_answer_inside_a_sentence_is_parsed(domain):
    filled = {"person_name": "Ola Bakke", "old_address": "Storgata 5, 0155 Oslo"}
    values, said = run_form(domain, "nei vent, det skal være Storgata 5, 9008 Tromsø jo", requested="new_address",
                            filled=filled)
    assert values["new_address"] == "Storgata 5, 9008 Tromsø" and said == []


def test_a_new_date_in_the_answer_to_the_summary_replaces_the_old_one(domain):
    filled = {"person_name": "Ola Bakke", "old_address": "Storgata 5, 0155 Oslo",
              "new_address": "Bryggen 12, 5003 Bergen", "moving_date": IN_20_DAYS.isoformat(),
              "change_type": "permanent", "mail_forwarding": True}
    values, said = run_form(domain, f"nei, datoen er feil, det skal være {IN_30_DAYS:%d.%m}",
                            requested="address_change_confirmed", filled=filled)
    assert values["moving_date"] == IN_30_DAYS.isoformat() and values["address_change_confirmed"] is None
    assert [m["response"] for m in said] == ["utter_changed_field"]


def test_a_wrong_town_is_still_caught(domain):
    values, said = run_form(domain, "Bryggen 12, 5003 Trondheim", requested="new_address",
                            filled={"person_name": "Ola Bakke", "old_address": "Storgata 5, 0155 Oslo"})
    assert values["new_address"] is None and said[0]["response"] == "utter_postcode_wrong_town"


@pytest.mark.parametrize("intent", ["deny", "inform"])
def test_a_new_value_at_the_summary_without_naming_the_field_shows_the_summary_again(domain, intent):
    filled = {"person_name": "Ola Bakke", "old_address": "Storgata 5, 0155 Oslo",
              "new_address": "Bryggen 12, 5003 Bergen", "moving_date": IN_20_DAYS.isoformat(),
              "change_type": "permanent", "mail_forwarding": True}
    values, said = run_form(domain, f"nei, det skal være {IN_30_DAYS:%d.%m}", requested="address_change_confirmed",
                            filled=filled, intent=intent)
    assert values["moving_date"] == IN_30_DAYS.isoformat()
    assert values.get("order_prompt") is None and values["address_change_confirmed"] is None
    assert [m["response"] for m in said] == ["utter_changed_field"]


@pytest.mark.parametrize("text, starts", [
    ("Hei! Jeg heter Randi Vik og flytter fra Teatergata 3, 0180 Oslo til Bryggen 12, 5003 Bergen", True),
    ("flyttar till Storgatan 12, 411 04 Göteborg", True),
    ("Storgata 5, 0155 Oslo", False),  # an address alone: from or to? Not a reason to start anything
    ("15.12", False),
    ("skal være på anlegg i Kirkenes fra mandag til og med 20. februar, trenger midlertidig adresse der", True),
    ("bor hos farmor i Ystad från 1 februari och sex veckor framåt", True),
    ("fra mandag til fredag er jeg på kurs", False),  # a period that is no stay somewhere else
])
def test_a_move_told_as_bare_data_starts_the_address_change(text, starts):
    from actions.unasked_facts import ActionUseUnaskedFacts

    tracker = Tracker("test", {"language": "nb"}, {"text": text, "intent": {"name": "inform"}}, [], False, None, {},
                      "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionUseUnaskedFacts().run(dispatcher, tracker, {}))
    if starts:
        assert events == [{"event": "followup", "name": "address_change_form", "timestamp": None}]
        assert dispatcher.messages == []
    else:
        assert events == [] and [m["response"] for m in dispatcher.messages] == ["utter_how_can_i_help"]


@pytest.mark.parametrize("parcel, starts", [("CP710202412NO", True), (None, False)])
def test_a_delivery_wish_after_tracking_books_the_tracked_parcel(parcel, starts):
    from actions.unasked_facts import ActionUseUnaskedFacts

    tracker = Tracker("test", {"language": "nb", "tracking_number": parcel},
                      {"text": "legg den i postkassen", "intent": {"name": "inform"}}, [], False, None, {}, "action_listen")
    events = asyncio.run(ActionUseUnaskedFacts().run(CollectingDispatcher(), tracker, {}))
    assert (events == [{"event": "followup", "name": "booking_form", "timestamp": None}]) == starts


def test_the_message_that_starts_the_form_is_read_after_earlier_ones(domain):
    """The facts of messages before the form and of the one that starts it add up."""
    values, _ = run_form(domain, f"skal bo hos søsteren min fra {IN_20_DAYS:%d.%m} til {IN_30_DAYS:%d.%m}, "
                                 f"kan posten komme til Fjellveien 8, 5019 Bergen?",
                         earlier=["heisann", "jeg heter Nils Aas"], intent="change_address")
    assert values["person_name"] == "Nils Aas" and values["new_address"] == "Fjellveien 8, 5019 Bergen"
    assert values["moving_date"] == IN_20_DAYS.isoformat() and values["end_date"] == IN_30_DAYS.isoformat()


def test_an_address_given_for_the_name_is_no_name(domain):
    values, _ = run_form(domain, "kirkegata 12 7600 levanger", requested="person_name")
    assert values["person_name"] is None and values["old_address"] == "Kirkegata 12, 7600 Levanger"


def test_a_correction_given_for_which_field_shows_the_summary_again(domain):
    """At "Hva vil du endre?" the change itself is the answer, also when the summary's slot took nothing from it."""
    filled = {"person_name": "Siri Lund", "old_address": "Storgata 5, 0155 Oslo", "new_address": "Bryggen 12, 5003 Bergen",
              "moving_date": IN_20_DAYS.isoformat(), "change_type": "permanent", "mail_forwarding": True,
              "order_prompt": "which"}
    text = "etternavnet er feil, det skal være Lunde"
    slots = {"language": "nb", "requested_slot": "address_change_confirmed", **filled}
    events = [{"event": "slot", "name": name, "value": value} for name, value in filled.items()]
    events += [{"event": "user", "text": text}, {"event": "action", "name": "address_change_form"}]
    tracker = Tracker("test", slots, {"text": text, "intent": {"name": "stop"}, "entities": []}, events, False, None,
                      {"name": "address_change_form"}, "action_listen")
    returned = asyncio.run(ValidateAddressChangeForm().run(CollectingDispatcher(), tracker, domain))
    values = {event["name"]: event["value"] for event in returned if event.get("event") == "slot"}
    assert values["person_name"] == "Siri Lunde" and values["order_prompt"] is None
