"""Everything the customer says is used: whole cases in one message, answers inside sentences, corrections at any step.

Against the real Rasa server, action server and reference back-end, in chat and on the phone's text path.
"""

import datetime as dt
import json

import pytest
import requests

from bot import secrets
from tests.support.answers import said

pytestmark = pytest.mark.e2e


def day(days_ahead: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days_ahead)


def orders_of(backend, name):
    return backend("/v1/address-changes", name=name)["address_changes"]


class Caller:
    """A phone caller on the voice channel's text path: what the recogniser heard, lower case, no punctuation."""

    def __init__(self, assistant, language: str, sender: str) -> None:
        self.assistant, self.language, self.sender = assistant, language, sender

    def says(self, text: str):
        token = self.assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)]
        body = {"sender": self.sender, "message": text, "metadata": {"caller": "+4712345678", "language": self.language}}
        answer = requests.post(
            f"{self.assistant.rasa_url}/webhooks/voice/webhook", data=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, timeout=60,
        )
        answer.raise_for_status()
        return answer.json()


@pytest.mark.parametrize("language, message, name, old, new, kind", [
    ("nb", "Hei! Jeg heter Oddny Bakke og flytter fra Storgata 5, 0155 Oslo til Bryggen 12, 5003 Bergen {date}, for godt",
     "Oddny Bakke", "0155", "5003", "permanent"),
    ("sv", "hej, mitt namn är Elin af Strand. vi flyttar till Linnégatan 7, 413 04 Göteborg från Sveavägen 40, "
           "111 34 Stockholm den {date}, för gott och med eftersändning", "Elin af Strand", "11134", "41304", "permanent"),
])
def test_the_whole_move_in_one_message_goes_straight_to_the_summary(customer, responses, backend, language, message,
                                                                     name, old, new, kind):
    person = customer()
    date = day(20).strftime("%d.%m.%Y" if language == "nb" else "%Y-%m-%d")
    answers = person.says(message.format(date=date))
    assert said(answers[-1], responses["utter_address_change_summary"][language], person_name=name)
    person.says("ja")
    stored = orders_of(backend, name)
    assert len(stored) == 1
    assert (stored[0]["old_address"]["postcode"], stored[0]["new_address"]["postcode"]) == (old, new)
    assert stored[0]["kind"] == kind and stored[0]["start_date"] == day(20).isoformat()


@pytest.mark.parametrize("language, message, name", [
    ("nb", "hei! skal flytte snart og må endre adresse. jeg heter Siv Holm", "Siv Holm"),
    ("sv", "hejsan! jag ska flytta och behöver ändra adress, heter Nils von Dal", "Nils von Dal"),
])
def test_a_greeting_first_never_swallows_the_task_and_the_name_in_it_is_used(customer, responses, language, message,
                                                                              name):
    person = customer()
    answers = person.says(message)
    assert said(answers[-1], responses["utter_ask_old_address"][language])
    assert person.tracker()["slots"]["person_name"] == name


@pytest.mark.parametrize("language, name, old, correction, corrected, new", [
    ("nb", "Trine Lund", "Storgata 5, 0155 Oslo", "oi, skrev feil husnummer, det er 12", "Storgata 12, 0155 Oslo",
     "Bryggen 12, 5003 Bergen"),
    ("sv", "Karin Berg", "Storgatan 12, 411 04 Göteborg", "förlåt, postnumret ska vara 41103",
     "Storgatan 12, 411 03 Göteborg", "Kungsgatan 5, 111 43 Stockholm"),
])
def test_a_correction_in_the_middle_changes_the_field_it_names_and_the_bot_says_so(
    customer, responses, backend, language, name, old, correction, corrected, new
):
    person = customer()
    person.says({"nb": "hei, jeg må melde flytting", "sv": "hej, jag vill anmäla flytt"}[language])
    person.says(name)
    assert said(person.says(old)[0], responses["utter_ask_new_address"][language])
    answers = person.says(correction)
    assert said(answers[0], responses["utter_changed_field"][language], value_text=corrected)
    assert said(answers[1], responses["utter_ask_new_address"][language])
    person.says(new)
    person.says(day(15).strftime("%d.%m.%Y"))
    person.says("permanent")
    summary = person.says("ja")[0]
    assert corrected in summary["text"]
    person.says("ja")
    assert orders_of(backend, name)[0]["old_address"]["street"] == corrected.split(",")[0]


def test_an_address_answer_inside_a_sentence_is_the_address(customer, responses, backend):
    person = customer()
    person.says("hei, vil endre adresse")
    person.says("Jon Strand")
    person.says("Storgata 5, 0155 Oslo")
    person.says("Bryggen 12, 5003 Bergen")
    answers = person.says("nei vent, det skal være Storgata 5, 9008 Tromsø jo")
    assert said(answers[0], responses["utter_changed_field"]["nb"], value_text="Storgata 5, 9008 Tromsø")
    assert said(answers[1], responses["utter_ask_moving_date"]["nb"])
    assert person.tracker()["slots"]["new_address"] == "Storgata 5, 9008 Tromsø"


@pytest.mark.parametrize("language, message, number", [
    ("nb", "hei, pakken CP710606451NO kom helt knust, glasset inni var i tusen biter og esken våt", "CP710606451NO"),
    ("sv", "hej! paketet RR720606456SE kom skadat, lampan i det var helt förstörd och kartongen blöt", "RR720606456SE"),
])
def test_a_complaint_with_number_and_what_happened_asks_only_how_to_reach_the_customer(
    customer, responses, language, message, number
):
    person = customer()
    answers = person.says(message)
    assert said(answers[-1], responses["utter_ask_contact"][language])
    slots = person.tracker()["slots"]
    assert slots["tracking_number"] == number and slots["complaint_type"] == "damaged"
    assert number not in slots["complaint_description"]


@pytest.mark.parametrize("language, heard, name", [
    ("nb", "hei jeg heter peder holm og flytter fra storgata 5 0155 oslo til bryggen 12 5003 bergen {date} "
           "for godt med ettersending", "Peder Holm"),
    ("sv", "hej jag heter anna lund och flyttar från kungsgatan 5 111 43 stockholm till storgatan 12 411 04 göteborg "
           "{date} för gott med eftersändning", "Anna Lund"),
])
def test_the_whole_move_on_the_phone(assistant, voice_responses, backend, language, heard, name):
    caller = Caller(assistant, language, f"call-{language}-{dt.datetime.now().timestamp()}")
    date = day(25).strftime("%d.%m.%Y") if language == "nb" else f"{day(25).day} " + [
        "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november",
        "december"][day(25).month - 1]
    answers = caller.says(heard.format(date=date))
    assert said(answers[-1], voice_responses["utter_address_change_summary"][language], person_name=name)
    caller.says("ja")
    stored = orders_of(backend, name)
    assert len(stored) == 1 and stored[0]["mail_forwarding"] is True
