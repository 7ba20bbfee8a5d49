"""Customers talking to the real assistant (Rasa server + action server) over the REST webhook."""

import pytest

from tests.support.answers import said, texts

pytestmark = pytest.mark.e2e


def test_norwegian_customer_is_greeted_in_norwegian(customer, responses):
    answers = customer().says("hei hei")
    assert texts(answers) == [responses["utter_greet"]["nb"]["text"]]


def test_swedish_customer_tracks_parcel_without_number_and_is_asked_for_it_in_swedish(customer, responses):
    swede = customer()
    answers = swede.says("hej! jag undrar var mitt paket är, det skulle ha kommit i fredags")
    assert texts(answers) == [responses["utter_ask_tracking_number"]["sv"]["text"]]
    answers = swede.says("det är RR720202417SE")
    assert said(answers[0], responses["utter_shipment_in_transit"]["sv"], tracking_number="RR720202417SE")


def test_norwegian_customer_with_a_typo_in_the_tracking_number_is_told_to_check_it(customer, responses):
    norwegian = customer()
    assert texts(norwegian.says("hvor er pakka mi?")) == [responses["utter_ask_tracking_number"]["nb"]["text"]]
    answers = norwegian.says("cp 710 202 413 no")
    assert texts(answers) == [
        responses["utter_tracking_number_check_digit"]["nb"]["text"],
        responses["utter_ask_tracking_number"]["nb"]["text"],
    ]
    answers = norwegian.says("CP710202412NO")
    assert said(answers[0], responses["utter_shipment_in_transit"]["nb"], tracking_number="CP710202412NO")


def test_tracking_number_in_the_first_message_needs_no_question(customer, responses):
    answers = customer().says("hvor er pakken min cp710202412no? har venta i to uker")
    assert said(answers[0], responses["utter_shipment_in_transit"]["nb"], tracking_number="CP710202412NO")


@pytest.mark.parametrize("language, complaint, stop", [
    ("nb", "jeg vil klage, pakken kom helt knust", "glem det, avbryt"),
    ("sv", "jag vill reklamera ett paket som kom trasigt", "nej avbryt, jag orkar inte"),
])
def test_stop_inside_a_form_cancels_it(customer, responses, language, complaint, stop):
    person = customer()
    answers = person.says(complaint)
    assert texts(answers) == [
        responses["utter_sorry_to_hear"][language]["text"],
        responses["utter_ask_tracking_number"][language]["text"],
    ]
    assert person.tracker()["active_loop"].get("name") == "complaint_form"
    assert texts(person.says(stop)) == [responses["utter_cancelled"][language]["text"]]
    assert not person.tracker()["active_loop"].get("name")


def test_swedish_conversation_stays_swedish_on_short_ambiguous_answers(customer, responses):
    swede = customer()
    swede.says("hej, jag har en fråga om mitt paket")
    assert texts(swede.says("ok")) != []
    tracker = swede.tracker()
    assert tracker["slots"]["language"] == "sv"


def test_channel_metadata_sets_the_language_of_an_ambiguous_first_message(customer, responses):
    answers = customer(language="sv").says("RR720505449SE")
    assert said(answers[0], responses["utter_shipment_ready_for_pickup"]["sv"], tracking_number="RR720505449SE")


def test_customer_who_clearly_switches_language_is_answered_in_the_new_one(customer, responses):
    person = customer()
    assert texts(person.says("hei, jeg lurer på noe")) == [responses["utter_greet"]["nb"]["text"]]
    assert texts(person.says("förlåt, jag skriver hellre på svenska. är du en robot?")) == [
        responses["utter_bot_challenge"]["sv"]["text"]
    ]


def test_swedish_customer_changes_address_and_a_past_date_is_refused(customer, responses):
    swede = customer()
    sv = lambda name: responses[name]["sv"]["text"]
    assert texts(swede.says("hej jag ska flytta och vill göra en adressändring")) == [sv("utter_ask_person_name")]
    assert texts(swede.says("Anna Svensson")) == [sv("utter_ask_old_address")]
    assert texts(swede.says("Kungsgatan 5, 111 43 Stockholm")) == [sv("utter_ask_new_address")]
    assert texts(swede.says("bara Storgatan")) == [sv("utter_address_needs_postcode"), sv("utter_ask_new_address")]
    assert texts(swede.says("Storgatan 12, 411 04 Göteborg")) == [sv("utter_ask_moving_date")]
    assert texts(swede.says("1 januari 2020")) == [sv("utter_date_in_past"), sv("utter_ask_moving_date")]
    assert texts(swede.says("imorgon")) == [sv("utter_ask_change_type")]
    assert texts(swede.says("tillfällig")) == [sv("utter_ask_end_date")]
    assert texts(swede.says("idag")) == [
        sv("utter_end_date_before_start").split("{")[0] + swede.tracker()["slots"]["moving_date"] + ").",
        sv("utter_ask_end_date"),
    ]
    assert texts(swede.says("1 mars 2027")) == [sv("utter_ask_mail_forwarding")]
    answers = swede.says("/affirm")
    assert said(answers[0], responses["utter_address_change_summary"]["sv"], person_name="Anna Svensson")
    assert swede.tracker()["slots"]["mail_forwarding"] is True
