"""Closed questions answered in words, and yes/no to the bot's offers, against the real servers.

The booking options come from the reference back-end (backend/rules.yml): Norway offers evening
delivery on the next two working days, a pickup point and the mailbox; Sweden daytime and evening
delivery, a parcel locker and a pickup point. What is booked is read back from the back-end.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Dict, List

import pytest
import requests

from bot import secrets
from tests.support.answers import payloads, said

pytestmark = pytest.mark.e2e

BOOKABLE = {"nb": "CP710202412NO", "sv": "RR720202417SE"}
START_BOOKING = {"nb": "kan jeg endre leveringen av pakken min?", "sv": "kan jag boka om leveransen av mitt paket?"}
DELIVERED = {"nb": "CP710606451NO", "sv": "RR720606456SE"}
ATTEMPTED_NO = "CP710707469NO"


class Caller:
    """A phone call through the voice channel's text path, as the call gateway sends it."""

    def __init__(self, assistant: Any, language: str) -> None:
        self.assistant, self.language = assistant, language
        self.sender = f"call-{uuid.uuid4().hex}"

    def says(self, text: str) -> List[Dict[str, Any]]:
        token = self.assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)]
        body = {"sender": self.sender, "message": text, "metadata": {"caller": "+4791234567", "language": self.language}}
        answer = requests.post(
            f"{self.assistant.rasa_url}/webhooks/voice/webhook", data=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, timeout=60,
        )
        answer.raise_for_status()
        return answer.json()

    def tracker(self) -> Dict[str, Any]:
        url = f"{self.assistant.rasa_url}/conversations/{self.sender}/tracker"
        return requests.get(url, params={"token": self.assistant.rasa_token}, timeout=30).json()


def offered(person, responses, language):
    person.says(START_BOOKING[language])
    offer = person.says(BOOKABLE[language])[-1]
    assert said(offer, responses["utter_ask_delivery_option"][language], tracking_number=BOOKABLE[language])
    return offer


def booked(backend, language) -> Dict[str, Any]:
    bookings = backend(f"/v1/shipments/{BOOKABLE[language]}/delivery-bookings")["bookings"]
    return max(bookings, key=lambda b: b["created_at"])


@pytest.mark.parametrize("language, answer, kind", [
    ("nb", "kan den bare legges i postkassa?", "mailbox"),
    ("nb", "jeg henter den sjøl på butikken", "pickup_point"),
    ("sv", "leverans på kvällstid tack", "home_evening"),
    ("sv", "helst på dagen, jag jobbar hemifrån", "home_daytime"),
    ("sv", "lägg det i ett paketskåp", "parcel_locker"),
])
def test_an_option_chosen_in_words_is_booked(customer, responses, backend, language, answer, kind):
    person = customer()
    offered(person, responses, language)
    done = person.says(answer)[0]
    assert said(done, responses["utter_booking_done"][language], tracking_number=BOOKABLE[language])
    receipt = person.tracker()["slots"]["booking_receipt"]
    assert booked(backend, language)["booking_id"] == receipt
    assert booked(backend, language)["option"]["kind"] == kind


def test_a_weekday_and_time_of_day_pick_one_of_two_evenings(customer, responses, backend):
    person = customer()
    offer = offered(person, responses, "nb")
    evenings = [option_id(p) for p in payloads(offer) if option_id(p).startswith("home_evening")]
    last_evening = evenings[-1]
    weekday = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"][option_date(last_evening).weekday()]
    done = person.says(f"{weekday} etter jobb passer fint")[0]
    assert said(done, responses["utter_booking_done"]["nb"], tracking_number=BOOKABLE["nb"])
    assert booked(backend, "nb")["option"]["id"] == last_evening


def option_id(payload: str) -> str:
    return json.loads(payload[payload.index("{"):])["delivery_option"]


def option_date(option: str) -> dt.date:
    """The back-end names an option by its kind and day: home_evening-20261207."""
    return dt.datetime.strptime(option.rsplit("-", 1)[1], "%Y%m%d").date()


@pytest.mark.parametrize("language, vague, pick, kind", [
    ("nb", "helst etter jobb", "den andre", "home_evening"),
    ("sv", "så snart som möjligt", "paketskåpet", "parcel_locker"),
])
def test_two_options_fit_so_the_bot_asks_which(customer, responses, backend, language, vague, pick, kind):
    person = customer()
    offered(person, responses, language)
    question = person.says(vague)[-1]
    assert said(question, responses["utter_delivery_option_which"][language])
    assert 2 <= len(payloads(question)) < 4
    done = person.says(pick)[0]
    assert said(done, responses["utter_booking_done"][language], tracking_number=BOOKABLE[language])
    chosen = booked(backend, language)["option"]
    assert chosen["kind"] == kind
    if language == "nb":  # "den andre" of the two evenings named is the later one
        assert chosen["id"] == option_id(payloads(question)[1])


@pytest.mark.parametrize("language, answer, kind", [
    ("nb", "nei, heller hente selv", "pickup_point"),
    ("nb", "nei nei, ikke på kvelden, i postkassen", "mailbox"),
    ("sv", "nej, hellre i paketskåpet", "parcel_locker"),
])
def test_a_choice_that_starts_with_no_is_a_choice_not_a_cancel(customer, responses, backend, language, answer, kind):
    person = customer()
    offered(person, responses, language)
    answers = person.says(answer)
    assert not any(said(a, responses["utter_cancelled"][language]) for a in answers)
    assert said(answers[0], responses["utter_booking_done"][language], tracking_number=BOOKABLE[language])
    assert booked(backend, language)["option"]["kind"] == kind


@pytest.mark.parametrize("language, answer", [("nb", "kan dere komme på søndag?"), ("sv", "i brevlådan")])
def test_a_wish_not_offered_is_said_so_and_nothing_is_booked(customer, responses, backend, language, answer):
    person = customer()
    offered(person, responses, language)
    before = backend(f"/v1/shipments/{BOOKABLE[language]}/delivery-bookings")["bookings"]
    answers = person.says(answer)
    assert said(answers[0], responses["utter_delivery_option_not_offered"][language])
    assert said(answers[1], responses["utter_ask_delivery_option"][language], tracking_number=BOOKABLE[language])
    assert backend(f"/v1/shipments/{BOOKABLE[language]}/delivery-bookings")["bookings"] == before


@pytest.mark.parametrize("language, yes", [("nb", "ja, gjerne det"), ("sv", "absolut")])
def test_yes_to_a_complaint_after_a_delivered_parcel_starts_the_complaint(customer, responses, language, yes):
    person = customer()
    tracked = person.says(f"hvor er {DELIVERED[language]}" if language == "nb" else f"var är {DELIVERED[language]}")
    assert said(tracked[-1], responses["utter_shipment_delivered"][language], tracking_number=DELIVERED[language])
    answers = person.says(yes)
    assert said(answers[-1], responses["utter_ask_complaint_type"][language])
    tracker = person.tracker()
    assert tracker["active_loop"]["name"] == "complaint_form"
    assert tracker["slots"]["tracking_number"] == DELIVERED[language]


@pytest.mark.parametrize("language, no", [("nb", "nei takk"), ("sv", "nä, det behövs inte")])
def test_no_to_an_offer_is_taken_politely(customer, responses, language, no):
    person = customer()
    person.says(DELIVERED[language])
    answers = person.says(no)
    assert said(answers[0], responses["utter_offer_declined"][language])
    assert not person.tracker()["active_loop"].get("name")


def test_yes_to_rebooking_after_a_failed_delivery_offers_the_options(customer, responses):
    person = customer()
    tracked = person.says(f"pakka {ATTEMPTED_NO} kom ikke i går")
    assert any(said(a, responses["utter_shipment_delivery_attempted"]["nb"]) for a in tracked)
    answers = person.says("kjør på")
    assert said(answers[-1], responses["utter_ask_delivery_option"]["nb"], tracking_number=ATTEMPTED_NO)


@pytest.mark.parametrize("language, yes", [("nb", "ja takk"), ("sv", "ja gärna")])
def test_yes_to_a_person_when_the_back_end_is_down(customer, responses, language, yes, outage):
    person = customer()
    person.says(START_BOOKING[language])
    with outage.slow():
        answer = person.says(BOOKABLE[language])[0]
    assert said(answer, responses["utter_backend_down"][language])
    person.says(yes)
    events = person.tracker()["events"]
    since_yes = events[max(i for i, e in enumerate(events) if e["event"] == "user"):]
    assert since_yes[0]["parse_data"]["intent"]["name"] == "request_human"
    assert "action_handoff" in [e.get("name") for e in since_yes if e["event"] == "action"]


@pytest.mark.parametrize("language, steps, answer, next_question, value", [
    ("nb", ["Ola Bakke", "Storgata 5, 0155 Oslo", "Bryggen 12, 5003 Bergen"], "jeg studerer i Tromsø dette semesteret",
     "utter_ask_end_date", "temporary"),
    ("sv", ["Anna Holm", "Kungsgatan 5, 111 43 Stockholm", "Storgatan 12, 411 04 Göteborg"], "för alltid",
     "utter_ask_mail_forwarding", "permanent"),
])
def test_permanent_or_temporary_in_prose(customer, responses, language, steps, answer, next_question, value):
    person = customer()
    person.says("jeg skal flytte" if language == "nb" else "jag ska flytta")
    for step in steps + [(dt.date.today() + dt.timedelta(days=12)).strftime("%d.%m.%Y")]:
        person.says(step)
    assert person.tracker()["slots"]["requested_slot"] == "change_type"
    assert said(person.says(answer)[-1], responses[next_question][language])
    assert person.tracker()["slots"]["change_type"] == value


@pytest.mark.parametrize("language, start, answer, kind", [
    ("nb", "jeg vil klage på en pakke", "esken var helt mosa", "damaged"),
    ("nb", "vil reklamere", "den kom aldri fram", "lost"),
    ("sv", "jag vill reklamera", "paketet är borta", "lost"),
    ("sv", "jag vill klaga på ett paket", "det fattades saker i kartongen", "missing_contents"),
])
def test_what_happened_in_the_customers_words(customer, responses, language, start, answer, kind):
    person = customer()
    person.says(start)
    assert said(person.says(DELIVERED[language])[-1], responses["utter_ask_complaint_type"][language])
    assert said(person.says(answer)[-1], responses["utter_ask_complaint_description"][language])
    assert person.tracker()["slots"]["complaint_type"] == kind


def test_by_phone_a_place_in_words_books_and_a_vague_answer_gets_the_phone_question(assistant, voice_responses, backend):
    caller = Caller(assistant, "sv")
    caller.says("jag vill boka om leveransen")
    caller.says(BOOKABLE["sv"])
    question = caller.says("hem till mig")[-1]
    assert said(question, voice_responses["utter_delivery_option_which"]["sv"])
    assert said(caller.says("på kvällen")[0], voice_responses["utter_booking_done"]["sv"], tracking_number=BOOKABLE["sv"])
    assert booked(backend, "sv")["option"]["kind"] == "home_evening"


def test_by_phone_yes_to_the_complaint_offer(assistant, voice_responses):
    caller = Caller(assistant, "nb")
    caller.says(f"hvor er pakken {DELIVERED['nb']}")
    answers = caller.says("ja")
    assert said(answers[-1], voice_responses["utter_ask_complaint_type"]["nb"])
