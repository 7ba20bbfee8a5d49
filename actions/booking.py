"""Booking or changing a delivery. The options come from the carrier's booking system."""

from typing import Text

from rasa_sdk import FormValidationAction

from actions.tracking import TrackingNumberValidation


class ValidateBookingForm(TrackingNumberValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_booking_form"
