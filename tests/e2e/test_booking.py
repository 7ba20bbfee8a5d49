"""Customers choose a delivery option offered by the real booking system."""

import pytest

from tests.support.answers import payloads, said

pytestmark = pytest.mark.e2e

BOOK = {
    "nb": {"start": "kan jeg endre leveringen av pakken min?", "number": "CP710202412NO",
           "delivered": "CP710606451NO", "unknown": "LA999999995NO", "typo": "CP710202413NO"},
    "sv": {"start": "kan jag boka om leveransen av mitt paket?", "number": "RR720202417SE",
           "delivered": "RR720606456SE", "unknown": "LA123456785SE", "typo": "RR720202418SE"},
}


def options_for(person, responses, language, number):
    assert said(person.says(BOOK[language]["start"])[0], responses["utter_ask_tracking_number"][language])
    offer = person.says(number)[0]
    assert said(offer, responses["utter_ask_delivery_option"][language], tracking_number=number)
    assert len(payloads(offer)) >= 2
    return offer


def bookings_of(backend, number):
    return backend(f"/v1/shipments/{number}/delivery-bookings")["bookings"]


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_customer_books_a_delivery_option_with_a_button(customer, responses, backend, language):
    number = BOOK[language]["number"]
    person = customer()
    offer = options_for(person, responses, language, number)
    done = person.says(payloads(offer)[1])[0]
    assert said(done, responses["utter_booking_done"][language], tracking_number=number)
    receipt = person.tracker()["slots"]["booking_receipt"]
    assert receipt in done["text"]
    assert receipt in [b["booking_id"] for b in bookings_of(backend, number)]


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_customer_picks_an_option_by_its_number(customer, responses, language):
    number = BOOK[language]["number"]
    person = customer()
    offer = options_for(person, responses, language, number)
    done = person.says("1")[0]
    assert said(done, responses["utter_booking_done"][language], tracking_number=number)
    assert offer["buttons"][0]["title"].split(". ", 1)[1] in done["text"]


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_confirming_the_same_option_twice_books_once(customer, responses, backend, language):
    number = BOOK[language]["number"]
    person = customer()
    offer = options_for(person, responses, language, number)
    person.says(payloads(offer)[0])
    first = person.tracker()["slots"]["booking_receipt"]
    person.says(payloads(offer)[0])  # a double click arrives after the form is done
    assert [b["booking_id"] for b in bookings_of(backend, number)].count(first) == 1


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_delivered_parcel_cannot_be_rebooked(customer, responses, language):
    person = customer()
    person.says(BOOK[language]["start"])
    answer = person.says(BOOK[language]["delivered"])[0]
    assert said(answer, responses["utter_booking_not_possible"][language])
    assert not person.tracker()["active_loop"].get("name")


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_unknown_and_mistyped_numbers(customer, responses, language):
    person = customer()
    person.says(BOOK[language]["start"])
    answers = person.says(BOOK[language]["typo"])
    assert said(answers[0], responses["utter_tracking_number_check_digit"][language])
    answers = person.says(BOOK[language]["unknown"])
    assert said(answers[0], responses["utter_tracking_unknown"][language])
    assert said(answers[1], responses["utter_ask_tracking_number"][language])


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_back_end_stopped_while_choosing_then_the_same_choice_books(customer, responses, backend, language, outage):
    number = BOOK[language]["number"]
    person = customer()
    offer = options_for(person, responses, language, number)
    with outage.stopped():
        answers = person.says(payloads(offer)[0])
    assert said(answers[0], responses["utter_order_backend_down"][language])
    assert said(person.says(payloads(offer)[0])[0], responses["utter_booking_done"][language])


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_back_end_slower_than_the_timeout_when_asked_for_options(customer, responses, language, outage):
    person = customer()
    person.says(BOOK[language]["start"])
    with outage.slow():
        answer = person.says(BOOK[language]["number"])[0]
    assert said(answer, responses["utter_backend_down"][language])
    assert not person.tracker()["active_loop"].get("name")


@pytest.mark.parametrize("language, stop", [("nb", "nei, avbryt"), ("sv", "avbryt")])
def test_stop_while_choosing(customer, responses, backend, language, stop):
    number = BOOK[language]["number"]
    person = customer()
    options_for(person, responses, language, number)
    before = bookings_of(backend, number)
    assert said(person.says(stop)[0], responses["utter_cancelled"][language])
    assert bookings_of(backend, number) == before
