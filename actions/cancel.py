"""`stop` inside any form: forget what the form collected and leave it.

If an order's answer was lost in this form (`order_prompt` = "retry <key>"), the
order may be stored: it is cancelled in the back-end by its key first, and only
then does the form's rule say "cancelled". When the back-end cannot be asked,
the customer hears that nothing could be confirmed either way, with a person on
offer, and the form stays open: saying "cancelled" then could be untrue.

A "stop" that names an option of the question just asked ("nei, heller hente selv")
is an answer, not a cancel: it goes back to the form (actions/closed_answers.py).
"""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import carrier
from actions.carrier.errors import CarrierError
from actions.closed_answers import answered_slot
from actions.orders import PROMPT, pending_key

logger = logging.getLogger(__name__)


class ActionCancelForm(Action):
    def name(self) -> Text:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        form = tracker.active_loop.get("name")
        answered = answered_slot(tracker) if form else None
        if answered:
            slot, value = answered
            logger.info("stop intent answered %s in %s; the answer goes to the form", slot, form)
            return [SlotSet(slot, value), FollowupAction(form)]
        key = pending_key(tracker)
        if key:
            try:
                state = await carrier.backend().cancel_order(key)
            except CarrierError as problem:
                logger.error("order %s: could not cancel it (%s); it may be stored, the form stays open", key, problem)
                dispatcher.utter_message(response="utter_order_backend_down")
                return [FollowupAction("action_listen")]  # not the rule's "cancelled", which may be untrue
            logger.info("order %s: cancelled after a lost answer (%s %s)", key, state.state, state.number or "")
        slots = domain.get("forms", {}).get(form, {}).get("required_slots", []) if form else []
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(PROMPT, None)] + [
            SlotSet(slot, None) for slot in slots
        ]
