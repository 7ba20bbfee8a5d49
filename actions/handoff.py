"""Handing the customer to a person: queue at the desk and pause the bot, or take a call-back request after hours.

Why the bot hands over and to which queue are read from the conversation itself
(`actions/handoff.yml`), so every path that ends with a person (the customer
asks, two misunderstandings, an angry complaint, a back-end outage) goes through
this one action and is counted the same way in the supervisor's figures.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import carrier
from actions.carrier.errors import CarrierError
from actions.carrier.http import HttpPolicy, ResilientClient
from actions.carrier.settings import expand
from actions.contact import ContactValidation
from actions.fallback import consecutive_fallbacks, intent_of
from actions.texts import language_of
from bot import secrets

CONFIG = Path(__file__).with_name("handoff.yml")
CALLBACK_FORM = "callback_form"


@lru_cache(maxsize=None)
def config() -> Dict[str, Any]:
    return expand(yaml.safe_load(CONFIG.read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def desk() -> ResilientClient:
    """The desk's internal API; enqueueing is idempotent per conversation, so a retry is harmless."""
    settings = config()["desk"]
    token = secrets.secret(secrets.DESK_SERVICE_TOKEN)
    policy = HttpPolicy(timeout_seconds=float(settings["timeout_seconds"]))
    return ResilientClient(settings["url"], policy, headers={"Authorization": f"Bearer {token}"}, name="desk")


def latest_request(tracker: Tracker) -> Optional[str]:
    """The customer's latest intent that names a topic (track_parcel, complaint, ...)."""
    intents = config()["topics"]["intents"]
    return next(
        (intent_of(e) for e in reversed(tracker.events) if e.get("event") == "user" and intent_of(e) in intents), None
    )


def topic_of(tracker: Tracker) -> str:
    topics = config()["topics"]
    form = (tracker.active_loop or {}).get("name")
    if form in topics["forms"]:
        return topics["forms"][form]
    request = latest_request(tracker)
    return topics["intents"][request] if request else "other"


def reason_of(tracker: Tracker) -> str:
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    given = (latest.get("metadata") or {}).get("handoff_reason")
    if given in config()["reasons_from_channel"]:
        return given
    if consecutive_fallbacks(tracker.events) >= 2:
        return "not_understood"
    said_last = next(
        (
            (event.get("metadata") or {}).get("utter_action")
            for event in reversed(tracker.events)
            if event.get("event") == "bot"
        ),
        None,
    )
    for reason, responses in config()["reasons_after"].items():
        if said_last in responses:
            return reason
    return "customer_asked"


def summary_of(tracker: Tracker, topic: str) -> Dict[str, Any]:
    """What the agent sees first: the topic, the customer's last request and what the bot collected."""
    slots = {name: tracker.get_slot(name) for name in config()["summary_slots"] if tracker.get_slot(name) is not None}
    return {"topic": topic, "intent": latest_request(tracker), **slots}


async def staffed_now(language: str) -> bool:
    """Customer service's hours today in the customer's country; when the back-end cannot say, try the desk."""
    try:
        service = await carrier.backend().customer_service(config()["countries"][language])
    except CarrierError:
        return True
    return service.opening_hours.open_at(dt.datetime.now(ZoneInfo(config()["time_zones"][language])))


def _leave_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    return [ActiveLoop(None), SlotSet("requested_slot", None)] if (tracker.active_loop or {}).get("name") else []


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language, topic = language_of(tracker), topic_of(tracker)
        leave = _leave_form(tracker)
        if not await staffed_now(language):
            dispatcher.utter_message(response="utter_handoff_outside_hours")
            return leave + [SlotSet("handoff_topic", topic), FollowupAction(CALLBACK_FORM)]
        request = {
            "sender_id": tracker.sender_id,
            "channel": tracker.get_latest_input_channel() or "unknown",
            "language": language,
            "topic": topic,
            "reason": reason_of(tracker),
            "summary": summary_of(tracker, topic),
        }
        try:
            queued = await desk().post("/internal/handoffs", request, idempotency_key=tracker.sender_id)
        except CarrierError:
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return leave + [SlotSet("handoff_topic", topic), FollowupAction(CALLBACK_FORM)]
        dispatcher.utter_message(
            response="utter_handoff_queued", wait_minutes=str(queued["estimated_wait_minutes"]), handoff="waiting"
        )
        return leave + [SlotSet("handoff_topic", topic), ConversationPaused()]


class ValidateCallbackForm(ContactValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_form"

    def validate_callback_time(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        text = " ".join(str(slot_value or "").split())
        return {"callback_time": text[:500] or None}


class ActionLeaveCallback(Action):
    """The request is stored at the desk before the customer hears that someone will call."""

    def name(self) -> Text:
        return "action_leave_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        request = {
            "sender_id": tracker.sender_id,
            "language": language_of(tracker),
            "topic": tracker.get_slot("handoff_topic") or "other",
            "contact": tracker.get_slot("contact") or "",
            "preferred_time": tracker.get_slot("callback_time") or "",
        }
        try:
            stored = await desk().post("/internal/callbacks", request)
        except CarrierError:
            dispatcher.utter_message(response="utter_callback_failed")
            return [SlotSet("callback_time", None)]
        dispatcher.utter_message(response="utter_callback_registered", contact=stored["contact"])
        return [SlotSet("callback_time", None)]
