"""Complaints (reklamasjon / reklamation): which parcel, what happened, how to reach the customer."""

from typing import Any, Dict, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import validate_choice
from actions.tracking import TrackingNumberValidation
from bot.identifiers.contact import normalise_phone, parse_email

MIN_DESCRIPTION_LENGTH = 3


class ValidateComplaintForm(TrackingNumberValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_complaint_form"

    def validate_complaint_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return validate_choice("complaint_type", slot_value, dispatcher, "utter_complaint_type_not_understood")

    def validate_complaint_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        description = " ".join(str(slot_value or "").split())
        return {"complaint_description": description if len(description) >= MIN_DESCRIPTION_LENGTH else None}

    def validate_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(slot_value or "")
        contact = parse_email(text) or normalise_phone(text)
        if contact is None:
            dispatcher.utter_message(response="utter_contact_invalid")
        return {"contact": contact}
