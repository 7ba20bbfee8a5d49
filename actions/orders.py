"""Confirming an order and placing it with the back-end exactly once.

The three flows that create something (address change, delivery booking,
complaint) share this: a summary to confirm, one field corrected without
starting over, the order sent with an idempotency key derived from the
conversation and the order's content (so a repeated confirmation, or a retry
after a timeout, returns the same receipt instead of a second order), and an
honest answer when the back-end cannot take it.

When the answer to an order is lost the order may still be stored. The bot then
asks the back-end by the key: a stored order is reported with its receipt as
usual; otherwise the customer hears that nothing was confirmed, and the key is
kept with the retry offer (`order_prompt` = "retry <key>"), so that "Avbryt"
cancels by it in the back-end before the bot says anything is cancelled
(actions/cancel.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import carrier
from actions.carrier.errors import BackendUnavailable, CarrierError, Rejected
from actions.carrier.model import Receipt
from actions.choices import match_choice, yes_or_no

logger = logging.getLogger(__name__)

PROMPT = "order_prompt"
WHICH_FIELD, RETRY, ABANDONED = "which", "retry", "abandoned"


def retry_prompt(key: str) -> str:
    """The prompt after a lost answer: offer a retry, and remember the key whose order may be stored."""
    return f"{RETRY} {key}"


def pending_key(tracker: Tracker) -> Optional[str]:
    """The key of the order whose answer was lost in this form, if any."""
    offer, _, key = (tracker.get_slot(PROMPT) or "").partition(" ")
    return key if offer == RETRY and key else None


def idempotency_key(tracker: Tracker, kind: str, content: Mapping[str, Any]) -> str:
    """Same conversation + same order content → same key → the back-end stores it once."""
    raw = json.dumps({"sender": tracker.sender_id, "kind": kind, "content": content}, sort_keys=True, default=str)
    return f"{kind}-{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def read_confirmation(tracker: Tracker, fields_question: str) -> Tuple[str, Optional[str]]:
    """("confirm", None), ("correct", field), ("which", None) or ("unclear", None) for the latest message."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    field = next(tracker.get_latest_entity_values("field"), None) or match_choice(fields_question, message.get("text") or "")
    if field:
        return "correct", field
    yes = intent == "affirm" if intent in ("affirm", "deny") else yes_or_no(message.get("text") or "")
    if yes is True:
        return "confirm", None
    if yes is False:
        return "which", None
    return "unclear", None


@dataclass(frozen=True)
class OrderFlow:
    """What differs between the flows that create something."""

    kind: str  # names the idempotency key: "address-change", "complaint"
    confirmation_slot: str
    fields_question: str  # section of choices.yml naming the summary's fields
    create: Callable[..., Awaitable[Receipt]]  # (order, idempotency key, conversation=sender id) -> receipt
    on_placed: Callable[[Receipt], Dict[Text, Any]]  # slots to set from the receipt


async def confirm_and_place(
    flow: OrderFlow, order: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Dict[Text, Any]:
    """Slot updates for the answer to a summary: place the order, reopen one field, or ask again."""
    confirmation_slot = flow.confirmation_slot
    decision, field = read_confirmation(tracker, flow.fields_question)
    if decision == "correct":
        return {field: None, confirmation_slot: None, PROMPT: None}
    if decision == "which":
        return {confirmation_slot: None, PROMPT: WHICH_FIELD}
    if decision == "unclear":
        dispatcher.utter_message(response="utter_order_confirm_unclear")
        return {confirmation_slot: None, PROMPT: None}
    key = idempotency_key(tracker, flow.kind, asdict(order))
    try:
        receipt = await placed(flow.create(order, key, conversation=tracker.sender_id), key)
    except Rejected:
        dispatcher.utter_message(response="utter_order_rejected")
        return {confirmation_slot: None, PROMPT: WHICH_FIELD}
    if receipt is None:
        dispatcher.utter_message(response="utter_order_backend_down")
        return {confirmation_slot: None, PROMPT: retry_prompt(key)}
    return {confirmation_slot: True, PROMPT: None, **flow.on_placed(receipt)}


async def placed(creating: Awaitable[Receipt], key: str) -> Optional[Receipt]:
    """The receipt; after a lost answer the receipt of what the key stored, or None if that is not known to exist.

    None covers "nothing stored yet" and "could not ask": either way nothing is
    confirmed, the caller keeps the key as pending and says exactly that.
    """
    try:
        return await creating
    except BackendUnavailable as lost:
        logger.warning("order %s: the answer was lost (%s); asking the back-end by its key", key, lost)
    try:
        state = await carrier.backend().order_state(key)
    except CarrierError as problem:
        logger.warning("order %s: could not look it up (%s); its outcome is unknown", key, problem)
        return None
    return state.receipt


class AskConfirmation(Action, ABC):
    """Asks for the confirmation slot: the summary, the fields to correct, or a retry offer."""

    which_field_response: str

    @abstractmethod
    def summary(self, tracker: Tracker, domain: Dict[Text, Any]) -> Tuple[str, Dict[str, Any]]:
        """The summary response and the values that fill it."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        prompt = tracker.get_slot(PROMPT)
        if pending_key(tracker):
            dispatcher.utter_message(response="utter_order_retry")
        elif prompt == WHICH_FIELD:
            dispatcher.utter_message(response=self.which_field_response)
        else:
            response, values = self.summary(tracker, domain)
            dispatcher.utter_message(response=response, **values)
        return []


class OrderDone(Action, ABC):
    """After the form: the receipt if the order was stored, then forget the order's details.

    Without a receipt the validator has already told the customer why (not bookable,
    back-end down), so nothing more is said.
    """

    receipt_slot: str
    done_response: str
    form: str

    @abstractmethod
    def name(self) -> Text:
        """Abstract here so that the action server registers only the concrete flows."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot(self.receipt_slot) and tracker.get_slot(PROMPT) != ABANDONED:
            dispatcher.utter_message(response=self.done_response)
        return [SlotSet(PROMPT, None)] + [SlotSet(slot, None) for slot in self.forgotten_slots(domain)]

    def forgotten_slots(self, domain: Dict[Text, Any]) -> List[str]:
        """The form's answers, so a second order starts clean; the parcel stays known for follow-up questions."""
        slots = domain.get("forms", {}).get(self.form, {}).get("required_slots", [])
        return [slot for slot in slots if slot != "tracking_number"]
