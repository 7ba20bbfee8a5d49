"""Address change and mail forwarding (adresseendring, ettersending / adressändring, eftersändning)."""

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text

from dateutil.relativedelta import relativedelta
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import validate_choice
from bot.identifiers.dates import parse_date

MAX_MONTHS_AHEAD = 3
_POSTCODE = re.compile(r"(?<!\d)(\d{3} ?\d{2}|\d{4})(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]{2,}")


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


class ValidateAddressChangeForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_address_change_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("change_type") == "temporary":
            return domain_slots
        return [slot for slot in domain_slots if slot != "end_date"]

    def validate_person_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        name = _entity(tracker, "person_name") or " ".join(str(slot_value or "").split())
        words = name.split()
        if not 1 <= len(words) <= 6 or not _LETTERS.search(name):
            return {"person_name": None}
        return {"person_name": name}

    def validate_old_address(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"old_address": self._address(slot_value, dispatcher)}

    def validate_new_address(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"new_address": self._address(slot_value, dispatcher)}

    @staticmethod
    def _address(value: Any, dispatcher: CollectingDispatcher) -> Optional[str]:
        """A street with a name and a postcode; checked against the postcode register once the back-end is connected."""
        address = " ".join(str(value or "").split())
        if _POSTCODE.search(address) and _LETTERS.search(address):
            return address
        dispatcher.utter_message(response="utter_address_needs_postcode")
        return None

    def validate_moving_date(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        today = dt.date.today()
        date = parse_date(str(slot_value or ""), today)
        if date is None:
            dispatcher.utter_message(response="utter_date_not_understood")
        elif date < today:
            dispatcher.utter_message(response="utter_date_in_past")
        elif date > today + relativedelta(months=MAX_MONTHS_AHEAD):
            dispatcher.utter_message(response="utter_date_too_far_ahead")
        else:
            return {"moving_date": date.isoformat()}
        return {"moving_date": None}

    def validate_change_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return validate_choice("change_type", slot_value, dispatcher, "utter_change_type_not_understood")

    def validate_end_date(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        start = dt.date.fromisoformat(tracker.get_slot("moving_date"))
        date = parse_date(str(slot_value or ""), start)
        if date is None:
            dispatcher.utter_message(response="utter_date_not_understood")
            return {"end_date": None}
        if date <= start:
            dispatcher.utter_message(response="utter_end_date_before_start")
            return {"end_date": None}
        return {"end_date": date.isoformat()}
