"""What the bot does when it did not understand: ask to rephrase once, then hand over to a person."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENT = "nlu_fallback"


def intent_of(event: Dict[Text, Any]) -> Optional[Text]:
    """The intent NLU gave a `user` event (None for other events)."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def consecutive_fallbacks(events: List[Dict[Text, Any]]) -> int:
    """How many of the customer's latest messages in a row were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        if intent_of(event) != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if consecutive_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_not_understood_handoff")
            return [FollowupAction("action_handoff")]
        dispatcher.utter_message(response="utter_rephrase")
        return []
