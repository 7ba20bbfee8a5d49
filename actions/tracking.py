"""Tracking a parcel: the tracking number is checked before anything is looked up."""

from typing import Any, Dict, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.identifiers.tracking import find_tracking_numbers, has_tracking_shape, parse_tracking_number


class TrackingNumberValidation:
    """`validate_tracking_number` for every form that asks which parcel it is about."""

    def validate_tracking_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(slot_value or "")
        number = parse_tracking_number(text) or next(find_tracking_numbers(text), None)
        if number:
            return {"tracking_number": number.value}
        if has_tracking_shape(text):
            dispatcher.utter_message(response="utter_tracking_number_check_digit")
        else:
            dispatcher.utter_message(response="utter_tracking_number_not_recognised")
        return {"tracking_number": None}


class ValidateTrackingForm(TrackingNumberValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_tracking_form"
