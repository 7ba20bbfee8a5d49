"""Keeps the `language` slot: answers follow the customer's language."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.channels.ownership import VOICE
from bot.language.switching import conversation_language


class ActionDetectLanguage(Action):
    """Custom slot mapping of `language`, run by Rasa after every user message."""

    def name(self) -> Text:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        current = tracker.get_slot("language")
        language = conversation_language(current, message.get("language_detection"), message.get("metadata"),
                                         call=tracker.get_latest_input_channel() == VOICE)
        return [] if language == current else [SlotSet("language", language)]
