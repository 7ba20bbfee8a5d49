"""`stop` inside any form: forget what the form collected and leave it."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import PROMPT


class ActionCancelForm(Action):
    def name(self) -> Text:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        form = tracker.active_loop.get("name")
        slots = domain.get("forms", {}).get(form, {}).get("required_slots", []) if form else []
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(PROMPT, None)] + [
            SlotSet(slot, None) for slot in slots
        ]
