"""Address change and mail forwarding (adresseendring, ettersending / adressändring, eftersändning)."""

import datetime as dt
from typing import Any, Dict, List, Optional, Text, Tuple

from dateutil.relativedelta import relativedelta
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import carrier
from actions.carrier.model import Address, AddressChangeOrder
from actions.choices import validate_choice
from actions.fact_reading import FactReading
from actions.orders import AskConfirmation, OrderDone, OrderFlow, confirm_and_place
from actions.texts import language_of, render
from bot.identifiers.dates import parse_date
from bot.identifiers.postcodes import PostcodeError, check, parse_address
from bot.language import formatting
from bot.understanding.addresses import find_addresses
from bot.understanding.facts import address_change_facts
from bot.understanding.names import read_name

MAX_MONTHS_AHEAD = 3


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


class ValidateAddressChangeForm(FactReading, FormValidationAction):
    """Every fact of the move in any message fills its slot; corrections of a given answer are said back."""

    read_facts = address_change_facts
    reads_earlier_messages = True
    read_whole = ("person_name", "old_address", "new_address", "moving_date", "end_date")
    announced = ("person_name", "old_address", "new_address", "moving_date", "end_date")

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
        """The name taken whole from the answer ("det er Kari Holm", "anne-lise berg-hansen"), minus the rest of the sentence.

        DIET often tags just part of a name, which would register the wrong person; its entity is
        used only when the answer has no name where the reader looks for one.
        """
        name = read_name(str(slot_value or ""), answering=True) or _entity(tracker, "person_name")
        return {"person_name": name}

    def validate_old_address(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"old_address": self._address(slot_value, dispatcher)}

    def validate_new_address(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"new_address": self._address(slot_value, dispatcher)}

    @staticmethod
    def _address(value: Any, dispatcher: CollectingDispatcher) -> Optional[str]:
        """A street and a postcode that exists, in the town the customer named (the register's spelling kept).

        An answer inside a sentence ("nei vent, det skal være Storgata 5, 9008 Tromsø jo") is the address in it.
        """
        found = find_addresses(str(value or ""))
        parsed = parse_address(found[0].text if len(found) == 1 else str(value or ""))
        if parsed is None:
            dispatcher.utter_message(response="utter_address_needs_postcode")
            return None
        try:
            return str(check(parsed))
        except PostcodeError as wrong:
            if wrong.registered_town is None:
                dispatcher.utter_message(response="utter_postcode_unknown", postcode=wrong.postcode)
            else:
                dispatcher.utter_message(
                    response="utter_postcode_wrong_town",
                    postcode=wrong.postcode, registered_town=wrong.registered_town, written_town=wrong.written_town,
                )
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
        moving = tracker.get_slot("moving_date")
        start = dt.date.fromisoformat(moving) if moving else dt.date.today()
        date = parse_date(str(slot_value or ""), start)
        if date is None:
            dispatcher.utter_message(response="utter_date_not_understood")
            return {"end_date": None}
        if date <= start:
            dispatcher.utter_message(response="utter_end_date_before_start")
            return {"end_date": None}
        return {"end_date": date.isoformat()}

    async def validate_address_change_confirmed(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        flow = OrderFlow(
            "address-change", "address_change_confirmed", "address_change_field",
            carrier.backend().create_address_change,
            lambda receipt: {"address_change_receipt": receipt.number},
        )
        return await confirm_and_place(flow, _order(tracker), dispatcher, tracker)


def _address_of(slot: str) -> Address:
    checked = check(parse_address(slot))
    return Address(checked.street, checked.postcode, checked.town, checked.country)


def _order(tracker: Tracker) -> AddressChangeOrder:
    temporary = tracker.get_slot("change_type") == "temporary"
    return AddressChangeOrder(
        name=tracker.get_slot("person_name"),
        old_address=_address_of(tracker.get_slot("old_address")),
        new_address=_address_of(tracker.get_slot("new_address")),
        start_date=dt.date.fromisoformat(tracker.get_slot("moving_date")),
        kind="temporary" if temporary else "permanent",
        mail_forwarding=bool(tracker.get_slot("mail_forwarding")),
        end_date=dt.date.fromisoformat(tracker.get_slot("end_date")) if temporary else None,
        language=language_of(tracker),
    )


class ActionAskAddressChangeConfirmed(AskConfirmation):
    which_field_response = "utter_address_change_which_field"

    def name(self) -> Text:
        return "action_ask_address_change_confirmed"

    def summary(self, tracker: Tracker, domain: Dict[Text, Any]) -> Tuple[str, Dict[str, Any]]:
        language = language_of(tracker)
        order = _order(tracker)
        if order.kind == "temporary":
            end = formatting.date(order.end_date, language)
            change_type = render(domain, "utter_text_temporary_until", language, end_date_text=end)
        else:
            change_type = render(domain, "utter_text_permanent", language)
        forwarding = render(domain, "utter_text_yes" if order.mail_forwarding else "utter_text_no", language)
        return "utter_address_change_summary", {
            "moving_date_text": formatting.date(order.start_date, language),
            "change_type_text": change_type,
            "forwarding_text": forwarding,
        }


class ActionAddressChangeDone(OrderDone):
    receipt_slot = "address_change_receipt"
    done_response = "utter_address_change_done"
    form = "address_change_form"

    def name(self) -> Text:
        return "action_address_change_done"
