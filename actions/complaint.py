"""Complaints (reklamasjon / reklamation): which parcel, what happened, how to reach the customer, then a case."""

from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import carrier
from actions.anger import is_angry
from actions.carrier.errors import BackendUnavailable, NotFound
from actions.carrier.model import ComplaintOrder
from actions.choices import validate_choice
from actions.contact import ContactValidation
from actions.fact_reading import FactReading
from actions.orders import AskConfirmation, OrderDone, OrderFlow, confirm_and_place
from actions.texts import language_of, render
from actions.tracking import TrackingNumberValidation
from bot.understanding.facts import complaint_facts

MIN_DESCRIPTION_LENGTH = 3


class ActionStartComplaint(Action):
    """Sorry to hear it; an angry or abusive customer gets empathy and a person instead of a form."""

    def name(self) -> Text:
        return "action_start_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if is_angry((tracker.latest_message or {}).get("text") or ""):
            dispatcher.utter_message(response="utter_complaint_empathy")
            return [FollowupAction("action_handoff")]
        dispatcher.utter_message(response="utter_sorry_to_hear")
        return []


class ValidateComplaintForm(TrackingNumberValidation, ContactValidation, FactReading, FormValidationAction):
    """What happened and how to reach the customer are read from any message, the first one too."""

    read_facts = complaint_facts

    def name(self) -> Text:
        return "validate_complaint_form"

    async def validate_tracking_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """A complaint must be about a parcel the carrier knows; if the back-end cannot say, the case creation will."""
        checked = super().validate_tracking_number(slot_value, dispatcher, tracker, domain)
        number = checked["tracking_number"]
        if number:
            try:
                await carrier.tracking().shipment(number)
            except NotFound:
                dispatcher.utter_message(response="utter_complaint_unknown_parcel", tracking_number=number)
                return {"tracking_number": None}
            except BackendUnavailable:
                pass
        return checked

    def validate_complaint_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return validate_choice("complaint_type", slot_value, dispatcher, "utter_complaint_type_not_understood")

    def validate_complaint_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        description = " ".join(str(slot_value or "").split())
        return {"complaint_description": description if len(description) >= MIN_DESCRIPTION_LENGTH else None}

    async def validate_complaint_confirmed(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        order = ComplaintOrder(
            tracking_number=tracker.get_slot("tracking_number"),
            type=tracker.get_slot("complaint_type"),
            description=tracker.get_slot("complaint_description"),
            contact=tracker.get_slot("contact"),
            language=language_of(tracker),
        )
        flow = OrderFlow(
            "complaint", "complaint_confirmed", "complaint_field",
            carrier.backend().create_complaint,
            lambda receipt: {"complaint_case": receipt.number, "complaint_handling_days": str(receipt.handling_days)},
        )
        return await confirm_and_place(flow, order, dispatcher, tracker)


class ActionAskComplaintConfirmed(AskConfirmation):
    which_field_response = "utter_complaint_which_field"

    def name(self) -> Text:
        return "action_ask_complaint_confirmed"

    def summary(self, tracker: Tracker, domain: Dict[Text, Any]) -> Tuple[str, Dict[str, Any]]:
        kind = render(domain, f"utter_text_complaint_{tracker.get_slot('complaint_type')}", language_of(tracker))
        return "utter_complaint_summary", {"complaint_type_text": kind}


class ActionComplaintDone(OrderDone):
    receipt_slot = "complaint_case"
    done_response = "utter_complaint_done"
    form = "complaint_form"

    def name(self) -> Text:
        return "action_complaint_done"
