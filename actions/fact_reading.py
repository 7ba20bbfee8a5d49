"""Forms that use everything the customer says, not only the answer to the question asked.

Rasa fills a form's slots from the requested slot's answer (`from_text`) and from entities; the
rest of a message ("hei, jeg heter Kari Holm og flytter fra … til … den 15. januar") would be
lost. A form's validation action mixes `FactReading` in before `FormValidationAction`: on every
message the form handles, also the one that starts it, the flow's fact reader
(bot/understanding/facts.py) reads the message and each fact becomes a slot candidate, validated
by the form's own `validate_<slot>` exactly as an answer would be (Rasa SDK's extraction step:
candidates are added to the tracker before validation, so they are checked like typed answers).

When a message was about other facts than the one asked ("skrev feil husnummer, det er 12" while
the bot asked for the date), its text is not taken as the answer: the question is asked again.
A value that replaces one the customer gave earlier is said back ("Jeg har rettet …").
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.orders import PROMPT, WHICH_FIELD
from actions.texts import language_of, render
from bot.language import formatting
from bot.understanding.facts import ADDRESS_SLOTS, Context

DATE_SLOTS = ("moving_date", "end_date")
UNCLEAR = "utter_order_confirm_unclear"
EARLIER_MESSAGES = 5  # messages before a form starts that may hold its facts ("hei, jeg heter …")
Reader = Callable[[str, Context], Dict[str, Any]]


class FactReading:
    """Mixed into a form's validation action (before `FormValidationAction`)."""

    read_facts: Reader  # the flow's reader from bot/understanding/facts.py
    reads_earlier_messages = False  # facts told before the form started count too
    read_whole: Tuple[str, ...] = ()  # requested slots whose text is not an answer when the message told other facts
    announced: Tuple[str, ...] = ()  # slots whose change the bot says back
    # Facts that can only be judged once another slot is valid: slot -> the slot it needs
    # (a delivery wish needs the parcel's options, fetched when its number is validated).
    later_facts: Dict[str, str] = {}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        before = dict(tracker.slots)
        facts = self.facts(tracker, requested)
        later = {slot: facts.pop(slot) for slot in list(facts) if slot in self.later_facts}
        ignored = requested in self.read_whole and requested not in facts and bool(facts)
        if ignored:
            _forget_answer(tracker, requested)
        tracker.add_slots(await self.get_extraction_events(dispatcher, tracker, domain))  # type: ignore[attr-defined]
        tracker.add_slots([SlotSet(slot, value) for slot, value in facts.items()])
        events = await self._extract_validation_events(dispatcher, tracker, domain)  # type: ignore[attr-defined]
        for slot, value in later.items():
            if tracker.get_slot(self.later_facts[slot]) and tracker.get_slot(slot) is None:
                events = [e for e in events if e.get("name") != REQUESTED_SLOT] + await self._validate_alone(
                    slot, value, dispatcher, tracker, domain)
        if ignored:
            events.insert(0, SlotSet(requested, None))
        if self._say_changes(before, events, requested, dispatcher, tracker, domain):
            # "nei, det skal være 20. januar" at the summary: the new value is the answer, neither unclear
            # nor a reason to ask which field; the summary is shown again with it.
            events = [SlotSet(PROMPT, None) if e.get("name") == PROMPT and e.get("value") == WHICH_FIELD else e
                      for e in events]
            if tracker.get_slot(PROMPT) == WHICH_FIELD:  # the answer to "what do you want to change?" was the change
                events.append(SlotSet(PROMPT, None))
            dispatcher.messages[:] = [m for m in dispatcher.messages if m.get("response") != UNCLEAR]
        return events

    async def _validate_alone(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> List[Dict[Text, Any]]:
        """Validate one candidate after the others: a marker event ends the batch already validated."""
        tracker.events.append({"event": "action", "name": "fact_reading"})
        tracker.add_slots([SlotSet(slot, value)])
        return await self._extract_validation_events(dispatcher, tracker, domain)  # type: ignore[attr-defined]

    def facts(self, tracker: Tracker, requested: Optional[str]) -> Dict[str, Any]:
        """The facts of the latest message (and, when the form starts, of the messages just before it)."""
        reader = type(self).read_facts
        text = (tracker.latest_message or {}).get("text") or ""
        known = {k: v for k, v in tracker.slots.items() if v is not None and not (k == requested and v == text)}
        context = Context(dt.date.today(), requested, known, _last_address(tracker))
        facts: Dict[str, Any] = {}
        if requested is None and self.reads_earlier_messages:
            for earlier in _earlier_texts(tracker):
                facts.update(reader(earlier, Context(context.today)))
        facts.update(reader(text, context))
        return facts

    def _say_changes(self, before: Dict[str, Any], events: List[Dict[Text, Any]], requested: Optional[str],
                     dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> bool:
        """Says back each value that replaced an earlier answer; True if there was one."""
        language = language_of(tracker)
        changed = False
        for event in events:
            slot, value = event.get("name"), event.get("value")
            if slot not in self.announced or slot == requested or value is None:
                continue
            if before.get(slot) is None or before[slot] == value:
                continue
            dispatcher.utter_message(
                response="utter_changed_field",
                field_text=render(domain, f"utter_text_field_{slot}", language),
                value_text=_shown(slot, value, language),
            )
            changed = True
        return changed


def _shown(slot: str, value: Any, language: str) -> str:
    if slot in DATE_SLOTS:
        return formatting.date(dt.date.fromisoformat(value), language)
    return str(value)


def _forget_answer(tracker: Tracker, slot: str) -> None:
    """Take the requested slot's text back out of this turn's candidates, so it is asked again."""
    kept: List[Dict[str, Any]] = []
    trailing = True
    for event in reversed(tracker.events):
        if trailing and event.get("event") == "slot":
            if event.get("name") == slot:
                continue
        else:
            trailing = False
        kept.append(event)
    tracker.events = list(reversed(kept))
    tracker.slots[slot] = None


def _last_address(tracker: Tracker) -> Optional[str]:
    """The address slot the customer filled last, before this message: a correction without a name is about it."""
    slots = set(ADDRESS_SLOTS.values())
    before_message = False
    for event in reversed(tracker.events):
        before_message = before_message or event.get("event") == "user"
        if before_message and event.get("event") == "slot" and event.get("name") in slots and event.get("value"):
            return event["name"]
    return None


def _earlier_texts(tracker: Tracker) -> List[str]:
    """The customer's messages before the latest one, since the last form ended or the session began."""
    texts: List[str] = []
    latest_seen = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in ("session_started", "restart") or (kind == "active_loop" and event.get("name") is None):
            break
        if kind == "user":
            if latest_seen:
                texts.append(event.get("text") or "")
            latest_seen = True
    return list(reversed(texts[:EARLIER_MESSAGES]))
