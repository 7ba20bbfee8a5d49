"""Customers change their address; the postcode register and the real back-end take part."""

import datetime as dt

import pytest

from tests.support.answers import said

pytestmark = pytest.mark.e2e

MOVE = {
    "nb": {"start": "hei, jeg skal flytte og må endre adresse", "old": "Storgata 5, 0155 Oslo",
           "new": "Bryggen 12, 5003 Bergen", "wrong_town": "Bryggen 12, 5003 Trondheim", "permanent": "permanent"},
    "sv": {"start": "hej jag ska flytta och vill göra en adressändring", "old": "Kungsgatan 5, 111 43 Stockholm",
           "new": "Storgatan 12, 411 04 Göteborg", "wrong_town": "Storgatan 12, 411 04 Malmö", "permanent": "permanent"},
}


def moving_date(days_ahead: int = 10) -> str:
    return (dt.date.today() + dt.timedelta(days=days_ahead)).strftime("%d.%m.%Y")


def up_to_summary(person, responses, language, name):
    move = MOVE[language]
    r = lambda key: responses[key][language]
    assert said(person.says(move["start"])[0], r("utter_ask_person_name"))
    assert said(person.says(name)[0], r("utter_ask_old_address"))
    assert said(person.says(move["old"])[0], r("utter_ask_new_address"))
    assert said(person.says(move["new"])[0], r("utter_ask_moving_date"))
    assert said(person.says(moving_date())[0], r("utter_ask_change_type"))
    assert said(person.says(move["permanent"])[0], r("utter_ask_mail_forwarding"))  # typed, not the button
    summary = person.says("/affirm")[0]
    assert said(summary, r("utter_address_change_summary"), person_name=name)
    return summary


def orders_of(backend, name):
    return backend("/v1/address-changes", name=name)["address_changes"]


@pytest.mark.parametrize("language, name", [("nb", "Kari Nordmann"), ("sv", "Anna Svensson")])
def test_customer_changes_address_and_gets_a_receipt(customer, responses, backend, language, name):
    person = customer()
    summary = up_to_summary(person, responses, language, name)
    assert MOVE[language]["new"] in summary["text"]
    done = person.says("/affirm")[0]
    assert said(done, responses["utter_address_change_done"][language])
    stored = orders_of(backend, name)
    assert len(stored) == 1 and stored[0]["receipt_number"] in done["text"]
    assert stored[0]["mail_forwarding"] is True and stored[0]["kind"] == "permanent"


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_postcode_that_does_not_match_the_town_is_refused(customer, responses, language):
    person = customer()
    move = MOVE[language]
    person.says(move["start"])
    person.says("Test Testesen")
    person.says(move["old"])
    answers = person.says(move["wrong_town"])
    assert said(answers[0], responses["utter_postcode_wrong_town"][language])
    assert said(answers[1], responses["utter_ask_new_address"][language])


@pytest.mark.parametrize("language, correction, new_value", [
    ("nb", "nei vent, datoen er feil", 20),
    ("sv", "nej, datumet är fel", 20),
])
def test_correcting_the_date_from_the_summary_keeps_the_other_answers(
    customer, responses, backend, language, correction, new_value
):
    name = {"nb": "Per Hansen", "sv": "Per Lindqvist"}[language]
    person = customer()
    up_to_summary(person, responses, language, name)
    assert said(person.says(correction)[0], responses["utter_ask_moving_date"][language])
    summary = person.says(moving_date(new_value))[0]
    assert said(summary, responses["utter_address_change_summary"][language], person_name=name)
    assert MOVE[language]["old"] in summary["text"] and MOVE[language]["new"] in summary["text"]
    person.says("/affirm")
    stored = orders_of(backend, name)
    assert len(stored) == 1
    assert stored[0]["start_date"] == (dt.date.today() + dt.timedelta(days=new_value)).isoformat()


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_confirming_twice_registers_one_order(customer, responses, backend, language):
    name = {"nb": "Ingrid Haugen", "sv": "Ingrid Bergström"}[language]
    person = customer()
    up_to_summary(person, responses, language, name)
    person.says("/affirm")
    person.says("/affirm")
    assert len(orders_of(backend, name)) == 1


@pytest.mark.parametrize("language", ["nb", "sv"])
@pytest.mark.parametrize("fault", ["stopped", "slow"])
def test_back_end_failing_at_confirmation_then_retry_registers_once(customer, responses, backend, language, outage, fault):
    """Stopped: nothing was stored. Slow: the back-end stored it after the bot gave up; the retry finds it."""
    name = {("nb", "stopped"): "Ola Johansen", ("sv", "stopped"): "Lars Nilsson",
            ("nb", "slow"): "Silje Berg", ("sv", "slow"): "Karin Holm"}[language, fault]
    person = customer()
    up_to_summary(person, responses, language, name)
    with getattr(outage, fault)():
        answers = person.says("/affirm")
    assert said(answers[0], responses["utter_order_backend_down"][language])
    assert said(answers[1], responses["utter_order_retry"][language])
    if fault == "stopped":
        assert orders_of(backend, name) == []
    assert said(person.says("/affirm")[0], responses["utter_address_change_done"][language])
    assert len(orders_of(backend, name)) == 1


@pytest.mark.parametrize("language, stop", [("nb", "stopp, jeg gidder ikke"), ("sv", "avbryt")])
def test_stop_in_the_middle_registers_nothing(customer, responses, backend, language, stop):
    person = customer()
    move = MOVE[language]
    person.says(move["start"])
    person.says({"nb": "Nils Dahl", "sv": "Nils Ek"}[language])
    person.says(move["old"])
    assert said(person.says(stop)[0], responses["utter_cancelled"][language])
    assert orders_of(backend, {"nb": "Nils Dahl", "sv": "Nils Ek"}[language]) == []
    assert not person.tracker()["active_loop"].get("name")
