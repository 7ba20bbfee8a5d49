"""The customer's latest message read again as another intent, so Rasa's rules run as if it had been asked in words.

Rasa's own two-stage fallback does the same when a customer affirms what it guessed: the message is
reverted and uttered again with the intent now known, and the rule that starts that flow follows.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, UserUttered, UserUtteranceReverted


def as_request(tracker: Tracker, intent: str) -> List[Dict[Text, Any]]:
    """The latest message again, now meaning ``intent``: Rasa predicts from it as from any request."""
    message = tracker.latest_message or {}
    parse_data = {
        "text": message.get("text"),
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "entities": message.get("entities") or [],
    }
    return [
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        UserUttered(message.get("text"), parse_data=parse_data, input_channel=message.get("input_channel")),
    ]
