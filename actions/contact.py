"""`validate_contact` for every form that asks how to reach the customer (complaint, call-back)."""

from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.identifiers.contact import normalise_phone, parse_email


class ContactValidation:
    def validate_contact(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(slot_value or "")
        contact = parse_email(text) or normalise_phone(text)
        if contact is None:
            dispatcher.utter_message(response="utter_contact_invalid")
        return {"contact": contact}
