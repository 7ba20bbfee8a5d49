"""Tracking a parcel: the tracking number is checked before anything is looked up."""

import datetime as dt
from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import carrier
from actions.carrier.errors import BackendUnavailable, NotFound
from actions.carrier.model import Shipment, Status
from actions.opening_hours import asks_about_hours, pickup_point_answer, pickup_point_values
from actions.texts import language_of, render
from bot.identifiers.national_id import find_national_ids
from bot.identifiers.tracking import find_tracking_numbers, has_tracking_shape, parse_tracking_number
from bot.understanding.facts import asks_for_other_delivery
from bot.language import formatting


class TrackingNumberValidation:
    """`validate_tracking_number` for every form that asks which parcel it is about.

    A national identity number in the customer's message is never looked up (the
    tracking-number parser does not take it for one): the customer is told, once per
    message and before the form asks again, that we do not need it. The form runs
    this validation on every message it handles, also the one that opens it.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        if next(find_national_ids(text), None) is not None:
            dispatcher.utter_message(response="utter_national_id_not_shared")
        events = await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
        if "tracking_number" not in tracker.slots_to_validate() and _only_misspelt(text):
            # No slot was filled from this message (the form just opened, or asks for something
            # else): the typo is still the customer's parcel, so say so and ask for it again.
            dispatcher.utter_message(response="utter_tracking_number_check_digit")
            events.append(SlotSet("tracking_number", None))
        return events

    def validate_tracking_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The parcel of the customer's latest message wins over the one in the slot.

        At a form's start the slot may still hold a parcel tracked earlier; if the latest
        message holds a mistyped number, answering about the old parcel would be answering
        a question nobody asked, so the typo is told and the slot emptied.
        """
        latest = (tracker.latest_message or {}).get("text") or ""
        for text in (latest, str(slot_value or "")):
            number = parse_tracking_number(text) or next(find_tracking_numbers(text), None)
            if number:
                return {"tracking_number": number.value}
            if next(find_national_ids(text), None) is not None:
                return {"tracking_number": None}  # run() has told the customer
            if has_tracking_shape(text):
                dispatcher.utter_message(response="utter_tracking_number_check_digit")
                return {"tracking_number": None}
        dispatcher.utter_message(response="utter_tracking_number_not_recognised")
        return {"tracking_number": None}


def _only_misspelt(text: str) -> bool:
    """A mistyped S10/SSCC in ``text`` and no valid tracking number beside it."""
    return next(find_tracking_numbers(text), None) is None and has_tracking_shape(text)


class ValidateTrackingForm(TrackingNumberValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_tracking_form"


class ActionTrackParcel(Action):
    """Looks the parcel up and answers in plain words with what the customer needs next.

    "When is my pickup point open? CP…" often reads as tracking to the NLU; the
    answer is then the pickup point's hours, which is what the customer asked. A wish
    for another delivery said in this errand ("jag vill ändra när mitt paket ska
    levereras", then the number) goes to the booking.
    """

    def name(self) -> Text:
        return "action_track_parcel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("tracking_number")
        if any(asks_for_other_delivery(said) for said in _errand_texts(tracker)):
            return [FollowupAction("booking_form")]
        try:
            shipment = await carrier.tracking().shipment(number)
        except NotFound:
            dispatcher.utter_message(response="utter_tracking_unknown", tracking_number=number)
            return [SlotSet("tracking_number", None)]
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_tracking_backend_down", tracking_number=number)
            return [FollowupAction("action_handoff")]
        language = language_of(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        hours = pickup_point_answer(shipment, language, dt.date.today()) if asks_about_hours(text) else None
        response, values = hours or describe_shipment(shipment, language, domain)
        dispatcher.utter_message(response=response, **values)
        return []


def _errand_texts(tracker: Tracker) -> List[str]:
    """The customer's messages since the tracking form was opened, the one that opened it included."""
    texts: List[str] = []
    opened = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            texts.append(event.get("text") or "")
            if opened:
                break
        elif event.get("event") == "active_loop" and event.get("name") == "tracking_form":
            opened = True
    return texts


def describe_shipment(shipment: Shipment, language: str, domain: Dict[str, Any]) -> Tuple[str, Dict[str, str]]:
    """The response for the parcel's status and the values it needs, in the customer's language."""
    event = shipment.latest_event
    expected = shipment.expected_delivery
    values = {
        "tracking_number": shipment.tracking_number,
        "event_time": formatting.date_time(event.time, language) if event else "",
        "event_place": event.location if event else "",
        "event_description": _sentence(event.description) if event else "",
        "expected_delivery": (
            formatting.date(expected, language) if expected else render(domain, "utter_text_expected_unknown", language)
        ),
        "pickup_deadline": formatting.date(shipment.pickup_deadline, language) if shipment.pickup_deadline else "",
        "customs_amount": (
            formatting.money(shipment.customs_amount.amount, shipment.customs_amount.currency, language)
            if shipment.customs_amount else ""
        ),
    }
    point = shipment.pickup_point
    if point is not None:
        values.update(pickup_point_values(point, language))
    response = f"utter_shipment_{shipment.status.value}"
    if shipment.status is Status.DELIVERY_ATTEMPTED and point is not None:
        response = "utter_shipment_delivery_attempted_pickup"
    return response, values


def _sentence(text: str) -> str:
    """Carrier event texts end up mid-answer: make each a whole sentence."""
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."
