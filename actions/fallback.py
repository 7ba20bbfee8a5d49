"""What the bot does when it did not understand: ask to rephrase once, then hand over to a person.

A message holding a tracking number is understood enough: it goes to tracking. A message that
was not understood because asking for a person tied with another reading ("ja, la meg snakke med
en person": affirm and request_human at 0.5 each) gets the person: nobody is made to rephrase that.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.rereading import as_request

FALLBACK_INTENT = "nlu_fallback"
TRACKING_FORM = "tracking_form"
# Entities that make a message be about a parcel, however unusual the rest of it reads.
PARCEL_ENTITIES = ("tracking_number", "tracking_number_invalid")
REQUEST_HUMAN = "request_human"
TIED_READINGS = 2  # the best readings besides the fallback that count as a tie


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


def _names_a_parcel(tracker: Tracker) -> bool:
    """A message the NLU could not place but that holds a tracking number, valid or mistyped.

    "CP 7102 0241 3NO" reads as nothing to the classifier, yet the customer plainly means
    that parcel: tracking it (or telling that a character is wrong) beats "say it again".
    """
    if (tracker.active_loop or {}).get("name"):
        return False  # a form asked for something else; it decides what the message means
    entities = (tracker.latest_message or {}).get("entities") or []
    return any(entity.get("entity") in PARCEL_ENTITIES for entity in entities)


def _asks_for_a_person(tracker: Tracker) -> bool:
    """Asking for a person is among the readings that tied (the FallbackClassifier's ambiguity)."""
    ranking = [r for r in (tracker.latest_message or {}).get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    return any(r.get("name") == REQUEST_HUMAN for r in ranking[:TIED_READINGS])


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if _names_a_parcel(tracker):
            return [FollowupAction(TRACKING_FORM)]
        if _asks_for_a_person(tracker):
            return as_request(tracker, REQUEST_HUMAN)
        if consecutive_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_not_understood_handoff")
            return [FollowupAction("action_handoff")]
        dispatcher.utter_message(response="utter_rephrase")
        return []
