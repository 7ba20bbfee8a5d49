"""Customers file complaints; the case is opened in the real reference back-end."""

import pytest

from tests.support.answers import payloads, said

pytestmark = pytest.mark.e2e

CASE = {
    "nb": {"start": "jeg vil klage på en pakke", "number": "CP710606451NO", "type": "skadet",
           "description": "esken var knust og koppene inni var knust", "contact": "kari.nordmann@example.no",
           "unknown": "LA999999995NO"},
    "sv": {"start": "jag vill reklamera ett paket", "number": "RR720606456SE", "type": "skadad",
           "description": "kartongen var mosad och vaserna var trasiga", "contact": "070-123 45 67",
           "unknown": "LA123456785SE"},
}


def up_to_summary(person, responses, language):
    case = CASE[language]
    answers = person.says(case["start"])
    assert said(answers[0], responses["utter_sorry_to_hear"][language])
    assert said(person.says(case["number"])[0], responses["utter_ask_complaint_type"][language])
    assert said(person.says(case["type"])[0], responses["utter_ask_complaint_description"][language])
    assert said(person.says(case["description"])[0], responses["utter_ask_contact"][language])
    summary = person.says(case["contact"])[0]
    assert said(summary, responses["utter_complaint_summary"][language], tracking_number=case["number"])
    return summary


def cases_of(backend, number):
    return backend("/v1/complaints", tracking_number=number)["complaints"]


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_customer_files_a_complaint_and_gets_a_case_number(customer, responses, backend, language):
    person = customer()
    before = len(cases_of(backend, CASE[language]["number"]))
    up_to_summary(person, responses, language)
    done = person.says("/affirm")[0]
    assert said(done, responses["utter_complaint_done"][language])
    case = person.tracker()["slots"]["complaint_case"]
    assert case and case in done["text"]
    stored = cases_of(backend, CASE[language]["number"])
    assert len(stored) == before + 1
    assert backend(f"/v1/complaints/{case}")["type"] == "damaged"


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_confirming_twice_opens_one_case(customer, responses, backend, language):
    person = customer()
    before = len(cases_of(backend, CASE[language]["number"]))
    up_to_summary(person, responses, language)
    person.says("/affirm")
    person.says("/affirm")
    assert len(cases_of(backend, CASE[language]["number"])) == before + 1


@pytest.mark.parametrize("language, new_contact", [("nb", "912 34 567"), ("sv", "anna@example.se")])
def test_correcting_the_contact_from_the_summary_keeps_the_rest(customer, responses, language, new_contact):
    person = customer()
    up_to_summary(person, responses, language)
    which = person.says("/deny")[0]
    assert said(which, responses["utter_complaint_which_field"][language])
    assert '/deny{"field":"contact"}' in payloads(which)
    assert said(person.says('/deny{"field":"contact"}')[0], responses["utter_ask_contact"][language])
    summary = person.says(new_contact)[0]
    assert said(summary, responses["utter_complaint_summary"][language], tracking_number=CASE[language]["number"])
    assert CASE[language]["description"] in summary["text"]
    assert said(person.says("/affirm")[0], responses["utter_complaint_done"][language])


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_complaint_about_an_unknown_or_mistyped_parcel_is_refused_with_a_way_out(customer, responses, language):
    person = customer()
    person.says(CASE[language]["start"])
    typo = CASE[language]["number"][:-3] + str((int(CASE[language]["number"][-3]) + 1) % 10) + CASE[language]["number"][-2:]
    answers = person.says(typo)
    assert said(answers[0], responses["utter_tracking_number_check_digit"][language])
    answers = person.says(CASE[language]["unknown"])
    assert said(answers[0], responses["utter_complaint_unknown_parcel"][language])
    assert said(answers[1], responses["utter_ask_tracking_number"][language])


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_back_end_down_at_confirmation_keeps_everything_and_retry_works(
    customer, responses, backend, language, outage
):
    person = customer()
    before = len(cases_of(backend, CASE[language]["number"]))
    up_to_summary(person, responses, language)
    with outage.stopped():
        answers = person.says("/affirm")
    assert said(answers[0], responses["utter_order_backend_down"][language])
    assert said(answers[1], responses["utter_order_retry"][language])
    assert person.tracker()["slots"]["contact"]  # nothing the customer said is lost
    assert said(person.says("/affirm")[0], responses["utter_complaint_done"][language])
    assert len(cases_of(backend, CASE[language]["number"])) == before + 1


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_back_end_slower_than_the_timeout_at_confirmation(customer, responses, language, outage, backend):
    person = customer()
    up_to_summary(person, responses, language)
    with outage.slow():
        answers = person.says("/affirm")
    assert said(answers[0], responses["utter_order_backend_down"][language])
    done = person.says("/affirm")[0]  # the late first attempt and this retry carry the same key: one case
    assert said(done, responses["utter_complaint_done"][language])
    case = person.tracker()["slots"]["complaint_case"]
    assert [c["case_number"] for c in cases_of(backend, CASE[language]["number"])].count(case) == 1


@pytest.mark.parametrize("language, stop", [("nb", "avbryt"), ("sv", "avbryt")])
def test_stop_at_the_summary_creates_nothing(customer, responses, backend, language, stop):
    person = customer()
    before = len(cases_of(backend, CASE[language]["number"]))
    up_to_summary(person, responses, language)
    assert said(person.says(stop)[0], responses["utter_cancelled"][language])
    assert len(cases_of(backend, CASE[language]["number"])) == before
