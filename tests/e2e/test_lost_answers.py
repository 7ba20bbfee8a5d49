"""An order stored by the back-end whose answer was lost: the customer is never told "cancelled" untruthfully.

The latency proxy (Outage.slow) delays only the back-end's answers, so the order
reaches the back-end and is stored while the action gives up waiting.
"""

import pytest

from tests.e2e.test_address_change import orders_of, up_to_summary
from tests.e2e.test_booking import BOOK, bookings_of, options_for
from tests.support.answers import payloads, said

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("language, name", [("nb", "Tone Lie"), ("sv", "Eva Lundgren")])
def test_stop_after_a_lost_answer_cancels_the_stored_address_change(
    customer, responses, backend, outage, language, name
):
    person = customer()
    up_to_summary(person, responses, language, name)
    with outage.slow():
        answers = person.says("/affirm")
    assert said(answers[0], responses["utter_order_backend_down"][language])
    stored = orders_of(backend, name)
    assert len(stored) == 1 and stored[0].get("status") != "cancelled"  # stored although the answer was lost
    answers = person.says("/stop")
    assert [said(answer, responses["utter_cancelled"][language]) for answer in answers] == [True]
    stored = orders_of(backend, name)
    assert len(stored) == 1 and stored[0]["status"] == "cancelled"  # the retries made no second order


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_stop_while_the_back_end_still_cannot_answer_never_says_cancelled(
    customer, responses, backend, outage, language
):
    number = BOOK[language]["number"]
    person = customer()
    offer = options_for(person, responses, language, number)
    before = len(bookings_of(backend, number))
    with outage.slow():
        assert said(person.says(payloads(offer)[0])[0], responses["utter_order_backend_down"][language])
        answers = person.says("/stop")
    assert said(answers[0], responses["utter_order_backend_down"][language])  # nothing confirmed, a person offered
    assert not any(said(answer, responses["utter_cancelled"][language]) for answer in answers)
    # Stored; the slow proxy delays only answers, so the cancel may have reached the back-end unconfirmed.
    assert len(bookings_of(backend, number)) == before + 1
    answers = person.says("/stop")  # the back-end answers again: the cancel is confirmed there, then said
    assert [said(answer, responses["utter_cancelled"][language]) for answer in answers] == [True]
    assert bookings_of(backend, number)[0]["status"] == "cancelled"
