"""Customers track parcels: the answer comes from the real reference back-end over HTTP."""

import pytest

from tests.support.answers import payloads, said

pytestmark = pytest.mark.e2e

DEMO = {  # demo parcels of backend/demo_data.yml
    "nb": {"ready_for_pickup": "CP710505444NO", "in_transit": "CP710202412NO", "held_in_customs": "CP710909483NO",
           "delivered": "CP710606451NO", "unknown": "LA999999995NO"},
    "sv": {"ready_for_pickup": "RR720505449SE", "in_transit": "RR720202417SE", "held_in_customs": "RR720909488SE",
           "delivered": "RR720606456SE", "unknown": "LA123456785SE"},
}
ASK = {"nb": "hei, hvor er pakken min?", "sv": "hej, var är mitt paket?"}


@pytest.mark.parametrize("language", ["nb", "sv"])
@pytest.mark.parametrize("status", ["ready_for_pickup", "in_transit", "held_in_customs", "delivered"])
def test_customer_tracks_a_parcel_and_hears_where_it_is(customer, responses, language, status):
    person = customer()
    assert said(person.says(ASK[language])[0], responses["utter_ask_tracking_number"][language])
    number = DEMO[language][status]
    answer = person.says(number.lower()[:5] + " " + number.lower()[5:])[0]  # lower case, a space: normalised
    assert said(answer, responses[f"utter_shipment_{status}"][language], tracking_number=number)


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_pickup_answer_names_the_place_its_hours_and_the_deadline(customer, responses, language, backend):
    number = DEMO[language]["ready_for_pickup"]
    point = backend(f"/v1/shipments/{number}")["pickup_point"]
    answer = customer(language=language).says(number)[0]
    assert point["name"] in answer["text"] and point["address"] in answer["text"]
    closed = {"nb": "stengt", "sv": "stängt"}[language]
    assert "–" in answer["text"] or closed in answer["text"]  # opening hours written out


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_unknown_number_gets_a_clear_answer_and_the_offer_of_a_person(customer, responses, language):
    person = customer()
    person.says(ASK[language])
    answer = person.says(DEMO[language]["unknown"])[0]
    assert said(answer, responses["utter_tracking_unknown"][language], tracking_number=DEMO[language]["unknown"])
    assert payloads(answer) == ["/request_human"]


@pytest.mark.parametrize("language, typo", [("nb", "CP710505445NO"), ("sv", "RR720505448SE")])
def test_wrong_check_digit_is_caught_before_any_lookup(customer, responses, language, typo):
    person = customer()
    person.says(ASK[language])
    answers = person.says(typo)
    assert said(answers[0], responses["utter_tracking_number_check_digit"][language])
    assert said(answers[1], responses["utter_ask_tracking_number"][language])


@pytest.mark.parametrize("language", ["nb", "sv"])
@pytest.mark.parametrize("fault", ["stopped", "slow"])
def test_back_end_stopped_or_slow_gives_an_honest_answer_and_a_person(customer, responses, language, outage, fault):
    person = customer()
    person.says(ASK[language])
    with getattr(outage, fault)():
        answers = person.says(DEMO[language]["in_transit"])
    assert said(answers[0], responses["utter_tracking_backend_down"][language], tracking_number=DEMO[language]["in_transit"])
    assert said(answers[1], responses["utter_handoff_queued"][language])


@pytest.mark.parametrize("language, stop", [("nb", "glem det"), ("sv", "nej strunta i det")])
def test_stop_while_asked_for_the_number(customer, responses, language, stop):
    person = customer()
    person.says(ASK[language])
    assert said(person.says(stop)[0], responses["utter_cancelled"][language])
    assert not person.tracker()["active_loop"].get("name")


@pytest.mark.parametrize("language, question", [
    ("nb", "når har hentestedet mitt åpent? sporingsnummer CP710505444NO"),
    ("sv", "vilka öppettider har mitt utlämningsställe? kolli RR720505449SE"),
])
def test_opening_hours_of_the_pickup_point_holding_the_parcel(customer, responses, language, question):
    answer = customer().says(question)[0]
    assert said(answer, responses["utter_opening_hours_pickup_point"][language])


@pytest.mark.parametrize("language, question", [
    ("nb", "når har kundeservice åpent?"),
    ("sv", "när har ni öppet på kundtjänst?"),
])
def test_opening_hours_of_customer_service_come_from_the_back_end(customer, responses, language, question, backend):
    answer = customer().says(question)[0]
    country = {"nb": "NO", "sv": "SE"}[language]
    phone = backend("/v1/opening-hours/customer-service", country=country)["phone"]
    assert said(answer, responses["utter_opening_hours_customer_service"][language], phone=phone)


@pytest.mark.parametrize("language, question", [("nb", "når har dere åpent?"), ("sv", "när har ni öppet?")])
def test_opening_hours_with_the_back_end_stopped(customer, responses, language, question, outage):
    with outage.stopped():
        answer = customer().says(question)[0]
    assert said(answer, responses["utter_backend_down"][language])


@pytest.mark.parametrize("language, question, service", [
    ("nb", "hvor lang tid tar et brev til tyskland?", "Brev"),
    ("sv", "hur lång tid tar ett paket inom sverige", "Paket"),
])
def test_delivery_times_by_service_and_route(customer, responses, language, question, service):
    answer = customer().says(question)[0]
    assert said(answer, responses["utter_delivery_times_route"][language], service=service)
