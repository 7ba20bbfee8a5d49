"""Booking or changing a delivery: the options come from the carrier's booking system, shown as buttons."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import carrier
from actions.carrier.errors import BackendUnavailable, CarrierError, NotFound, Rejected
from actions.carrier.model import DeliveryOption
from actions.fact_reading import FactReading
from actions.option_choice import read_option
from actions.choices import yes_or_no
from actions.orders import ABANDONED, PROMPT, OrderDone, idempotency_key, pending_key, placed, retry_prompt
from actions.texts import language_of, render
from actions.tracking import TrackingNumberValidation
from bot.understanding.facts import booking_facts
from bot.language import formatting


def option_title(option: DeliveryOption, language: str, domain: Dict[str, Any]) -> str:
    window = f"{formatting.clock(option.window[0])}–{formatting.clock(option.window[1])}" if option.window else ""
    return render(
        domain, f"utter_text_option_{option.kind}", language,
        date=formatting.date(option.date, language), window=window, place=option.pickup_point_name or "",
    )


def _to_slot(option: DeliveryOption) -> Dict[str, Any]:
    window = [t.isoformat("minutes") for t in option.window] if option.window else None
    return {"id": option.id, "kind": option.kind, "date": option.date.isoformat(), "window": window,
            "pickup_point_name": option.pickup_point_name}


def _from_slot(value: Dict[str, Any]) -> DeliveryOption:
    window = tuple(dt.time.fromisoformat(t) for t in value["window"]) if value.get("window") else None
    return DeliveryOption(value["id"], value["kind"], dt.date.fromisoformat(value["date"]), window,
                          value.get("pickup_point_name"))


def offered_options(tracker: Tracker) -> List[DeliveryOption]:
    """The options fetched when the parcel was identified, so a retry offers exactly the same choice."""
    return [_from_slot(value) for value in tracker.get_slot("delivery_options") or []]


CANDIDATES = "delivery_option_candidates"


def shown_options(tracker: Tracker, options: List[DeliveryOption]) -> List[DeliveryOption]:
    """The options of the clarifying question just asked ("Mener du A eller B?"), else none."""
    ids = tracker.get_slot(CANDIDATES) or []
    return [option for option in options if option.id in ids]


def _buttons(options: List[DeliveryOption], language: str, domain: Dict[str, Any]) -> List[Dict[str, str]]:
    return [
        {"title": f"{i}. {option_title(option, language, domain)}",
         "payload": f'/inform{{"delivery_option":"{option.id}"}}'}
        for i, option in enumerate(options, start=1)
    ]


def _yes(tracker: Tracker, text: str) -> Optional[bool]:
    """Yes or no to the bot's question, by intent (buttons, "ja gjerne") or by words."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if intent in ("affirm", "deny"):
        return intent == "affirm"
    return yes_or_no(text)


class ValidateBookingForm(TrackingNumberValidation, FactReading, FormValidationAction):
    """A wish said with the parcel number ("på fredag, helst på kvelden") chooses among its options."""

    read_facts = booking_facts
    later_facts = {"delivery_option": "delivery_options"}

    def name(self) -> Text:
        return "validate_booking_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        """Nothing more to ask once booking turned out impossible: the form ends and the customer is free."""
        return [] if tracker.get_slot(PROMPT) == ABANDONED else domain_slots

    async def validate_tracking_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        checked = super().validate_tracking_number(slot_value, dispatcher, tracker, domain)
        number = checked["tracking_number"]
        if not number:
            return checked
        try:
            options = await carrier.backend().delivery_options(number)
        except NotFound:
            dispatcher.utter_message(response="utter_tracking_unknown", tracking_number=number)
            return {"tracking_number": None}
        except Rejected:
            dispatcher.utter_message(response="utter_booking_not_possible", tracking_number=number)
            return {"tracking_number": number, PROMPT: ABANDONED}
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return {"tracking_number": number, PROMPT: ABANDONED}
        if not options:
            dispatcher.utter_message(response="utter_booking_no_options", tracking_number=number)
            return {"tracking_number": number, PROMPT: ABANDONED}
        return {"tracking_number": number, "delivery_options": [_to_slot(option) for option in options], CANDIDATES: None}

    async def validate_delivery_option(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number = tracker.get_slot("tracking_number")
        language = language_of(tracker)
        options = offered_options(tracker)
        shown = shown_options(tracker, options)
        text = str(slot_value or "")
        if pending_key(tracker) and len(shown) == 1:  # "Skal jeg prøve igjen?" after a lost answer
            retry = _yes(tracker, text)
            if retry is not None:
                return await self._book(shown[0] if retry else None, number, language, dispatcher, tracker, domain)
        answer = read_option(text, options, dt.date.today(), shown)
        if answer.chosen is None:
            if len(answer.candidates) > 1:  # action_ask_delivery_option asks which of these
                return {"delivery_option": None, CANDIDATES: [o.id for o in answer.candidates]}
            if not answer.named_something:  # the same question again, the clarifying one included
                dispatcher.utter_message(response="utter_delivery_option_not_understood")
                return {"delivery_option": None}
            dispatcher.utter_message(response="utter_delivery_option_not_offered")
            return {"delivery_option": None, CANDIDATES: None}
        return await self._book(answer.chosen, number, language, dispatcher, tracker, domain)

    @staticmethod
    async def _book(
        option: Optional[DeliveryOption], number: str, language: str,
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
    ) -> Dict[Text, Any]:
        """Books ``option`` once (by its idempotency key); no option: show them all again."""
        if option is None:
            return {"delivery_option": None, CANDIDATES: None}
        key = idempotency_key(tracker, "booking", {"tracking_number": number, "option": option.id})
        try:
            receipt = await placed(carrier.backend().book_delivery(number, option.id, key, tracker.sender_id), key)
        except CarrierError:
            dispatcher.utter_message(response="utter_booking_not_possible", tracking_number=number)
            return {"delivery_option": None, PROMPT: ABANDONED}
        if receipt is None:
            dispatcher.utter_message(response="utter_order_backend_down")
            return {"delivery_option": None, PROMPT: retry_prompt(key), CANDIDATES: [option.id]}
        return {
            PROMPT: None,
            "delivery_option": option.id,
            "booking_receipt": receipt.number,
            "booking_text": option_title(option, language, domain),
            CANDIDATES: None,
        }


class ActionAskDeliveryOption(Action):
    def name(self) -> Text:
        return "action_ask_delivery_option"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = tracker.get_slot("tracking_number")
        language = language_of(tracker)
        options = offered_options(tracker)
        shown = shown_options(tracker, options)
        if pending_key(tracker) and len(shown) == 1:
            dispatcher.utter_message(response="utter_order_retry")
            return []
        if shown:
            titles = [option_title(option, language, domain) for option in shown]
            choices = f" {render(domain, 'utter_text_or', language)} ".join(
                [", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)
            dispatcher.utter_message(response="utter_delivery_option_which", choices=choices,
                                     buttons=_buttons(shown, language, domain))
            return []
        dispatcher.utter_message(response="utter_ask_delivery_option", tracking_number=number,
                                 buttons=_buttons(options, language, domain))
        return []


class ActionBookingDone(OrderDone):
    receipt_slot = "booking_receipt"
    done_response = "utter_booking_done"
    form = "booking_form"

    def forgotten_slots(self, domain: Dict[Text, Any]) -> List[str]:
        return super().forgotten_slots(domain) + ["delivery_options", CANDIDATES]

    def name(self) -> Text:
        return "action_booking_done"
