"""Yes or no to the bot's own offer ("Finner du den ikke, kan jeg registrere en reklamasjon" → "ja gjerne").

Outside a form, "ja" and "nei" answer whatever the bot offered last. Which response offers
what is in offers.yml; a response not listed offers what its one request button does, so a
new "Snakk med en person" button is an offer without further work. A "ja" becomes the
offered request itself: the customer's message is re-read as that intent (Rasa's own
two-stage fallback does the same when a customer affirms what it guessed), so the rules
that start a flow run exactly as if the customer had asked in words. A "nei" is answered
politely; "ja"/"nei" with no offer open asks what the customer needs, as before.

Inside a form this runs only when the form could not use the "ja"/"nei" (a tracking number
was asked for): a "ja" to an offer made meanwhile ("Snakk med en person") still takes it;
anything else repeats the form's question.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import says_cancel
from actions.fallback import intent_of
from actions.rereading import as_request

_OFFERS_FILE = Path(__file__).with_name("offers.yml")
DECLINED = "utter_offer_declined"
NO_OFFER = "utter_how_can_i_help"


@lru_cache(maxsize=1)
def _config() -> Dict[str, Any]:
    return yaml.safe_load(_OFFERS_FILE.read_text(encoding="utf-8"))


def _offer_of_buttons(buttons: List[Dict[str, Any]]) -> Optional[str]:
    """The intent of the only button that asks for something ("/request_human"), if there is exactly one."""
    answers = tuple(_config()["answer_payloads"])
    requests = {
        str(b.get("payload", "")).lstrip("/").split("{")[0]
        for b in buttons
        if str(b.get("payload", "")).startswith("/") and not str(b.get("payload", "")).startswith(answers)
    }
    return next(iter(requests)) if len(requests) == 1 else None


def offer_of(event: Dict[str, Any]) -> Optional[Dict[str, str]]:
    """{"yes": ..., "no": ...} for a bot message that offers something, else None."""
    response = (event.get("metadata") or {}).get("utter_action")
    listed = _config()["offers"]
    if response in listed:
        return dict(listed[response]) if listed[response] else None
    intent = _offer_of_buttons((event.get("data") or {}).get("buttons") or [])
    return {"yes": intent} if intent else None


def open_offer(events: List[Dict[str, Any]]) -> Optional[Dict[str, str]]:
    """The offer in the bot's messages since the customer's previous message (the last one wins)."""
    seen_latest_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif event.get("event") == "bot" and seen_latest_user:
            offer = offer_of(event)
            if offer:
                return offer
    return None


def _names_another_parcel(tracker: Tracker) -> bool:
    """The message names a parcel other than the one the conversation is about: not a yes or no to its offer.

    The parcel talked about is the slot's value before this message: Rasa has already filled the slot
    from the message's own entity when this action runs.
    """
    numbers = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
               if e.get("entity") in ("tracking_number", "tracking_number_invalid")]
    return any(number and number != _parcel_before_message(tracker) for number in numbers)


def _parcel_before_message(tracker: Tracker) -> Optional[str]:
    """The tracking number the conversation held before the customer's latest message."""
    before_message = False
    for event in reversed(tracker.events):
        before_message = before_message or event.get("event") == "user"
        if before_message and event.get("event") == "slot" and event.get("name") == "tracking_number":
            return event.get("value")
    return None


class ActionAnswerOffer(Action):
    def name(self) -> Text:
        return "action_answer_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        offer = open_offer(tracker.events)
        answer = "yes" if intent_of({"parse_data": tracker.latest_message}) == "affirm" else "no"
        if (tracker.active_loop or {}).get("name"):
            if answer == "no" and says_cancel((tracker.latest_message or {}).get("text") or ""):
                return as_request(tracker, "stop")  # "nej, strunta i det": the whole errand, not the question
            request = (offer or {}).get("yes", "utter_") if answer == "yes" else "utter_"
            if not request.startswith("utter_"):
                return as_request(tracker, request)
            ask = f"utter_ask_{tracker.get_slot('requested_slot')}"
            if ask in domain.get("responses", {}):
                dispatcher.utter_message(response=ask)
            return []
        if _names_another_parcel(tracker):
            return as_request(tracker, "track_parcel")  # "kan du kolla <another number> också" is a new errand
        if offer is None:
            dispatcher.utter_message(response=NO_OFFER)
            return []
        meant = offer.get(answer) or (DECLINED if answer == "no" else NO_OFFER)
        if meant.startswith("utter_"):
            dispatcher.utter_message(response=meant)
            return []
        return as_request(tracker, meant)
