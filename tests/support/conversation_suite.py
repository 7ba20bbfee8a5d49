"""Plays a written conversation against the real assistant and judges it as a customer would.

A conversation (format: tests/conversations/WRITING.md) is the customer's messages in order, what
the customer knows if the bot asks for something else, and what must be true at the end. The
judge reads the truth where it lives: orders in the back-end, the hand-off and the answers in
Rasa's tracker. "At the first go" means the written messages were enough and the bot never had to
ask again, ask for an option's number or reopen a summary it got wrong.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import requests
import yaml

from bot import secrets
from voice.spoken import entities as spoken
from tests.support.answers import from_knowledge

CONVERSATIONS = Path(__file__).resolve().parents[1] / "conversations"
MAX_EXTRA_TURNS = 4
YES = {"nb": "ja", "sv": "ja"}

# The bot had to ask again: a customer who meets one of these was not understood the first time.
NOT_FIRST_GO = {
    "utter_rephrase",
    "utter_default",
    "utter_not_understood_handoff",
    "utter_delivery_option_not_understood",
    "utter_change_type_not_understood",
    "utter_complaint_type_not_understood",
    "utter_date_not_understood",
    "utter_order_confirm_unclear",
    "utter_address_needs_postcode",
    "utter_tracking_number_not_recognised",
}
HANDED_OVER = {"utter_handoff_queued", "utter_handoff_outside_hours", "utter_callback_registered"}
HONEST_LIMITS = {"utter_out_of_scope", "utter_unsupported_topic", "utter_unsupported_question", "utter_unsupported_sms"}
DAY_HOURS = {"utter_opening_hours_day", "utter_opening_hours_day_closed"}  # one day's hours, a holiday's too
ANSWERS = {
    "opening_hours": {"utter_opening_hours_customer_service", "utter_opening_hours_pickup_point", *DAY_HOURS},
    "holiday_hours": {"utter_opening_hours_customer_service", *DAY_HOURS},
    "delivery_times": {"utter_delivery_times_overview", "utter_delivery_times_route"},
}
SPECIAL_DAY = re.compile(r"\([^()]*\d[^()]*\):")  # utter_text_special_day: " {name} ({date}): {hours}."
RECEIPTS = {"address_change": "address_change_receipt", "booking": "booking_receipt", "complaint": "complaint_case"}


@dataclasses.dataclass(frozen=True)
class Conversation:
    id: str
    language: str
    channel: str
    covers: List[str]
    says: List[str]
    knows: Dict[str, str]
    solved: Dict[str, Any]


@dataclasses.dataclass
class Outcome:
    conversation: Conversation
    solved: bool
    first_go: bool
    turns: int  # the customer's messages, written and extra
    why: str  # what was wrong, for the report; empty when solved at the first go
    transcript: List[str]

    def as_json(self) -> Dict[str, Any]:
        return {
            "id": self.conversation.id, "language": self.conversation.language,
            "channel": self.conversation.channel, "covers": self.conversation.covers,
            "solved": self.solved, "first_go": self.first_go, "turns": self.turns, "why": self.why,
        }


def load(directory: Path = CONVERSATIONS) -> List[Conversation]:
    """Every conversation in the suite's YAML files; the language is the file name's prefix."""
    found: List[Conversation] = []
    for path in sorted(directory.glob("*.yml")):
        language = path.name.split("_", 1)[0]
        if language not in YES:
            continue
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            found.append(Conversation(
                id=raw["id"], language=language, channel=raw.get("channel", "chat"),
                covers=list(raw.get("covers", [])), says=[str(text) for text in raw["says"]],
                knows={key: str(value) for key, value in (raw.get("knows") or {}).items()},
                solved=dict(raw["solved"]),
            ))
    ids = [conversation.id for conversation in found]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"conversation ids used twice: {duplicated}")
    return found


class Line:
    """The customer's side of one conversation: the REST webhook for chat, the voice channel for a phone call.

    A phone conversation is what the recogniser heard; it reaches the voice channel as the call sends it.
    """

    def __init__(self, assistant: Any, conversation: Conversation) -> None:
        self.assistant, self.conversation = assistant, conversation
        prefix = "call" if conversation.channel == "phone" else "suite"  # the voice channel takes call ids only
        self.sender = f"{prefix}-{conversation.id}-{uuid.uuid4().hex[:8]}"

    def says(self, text: str) -> List[Dict[str, Any]]:
        if self.conversation.channel == "phone":
            token = self.assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)]
            body = {"sender": self.sender, "message": spoken.as_written(text, self.conversation.language),
                    "metadata": {"caller": "+4712345678", "language": self.conversation.language}}
            response = requests.post(
                f"{self.assistant.rasa_url}/webhooks/voice/webhook", data=json.dumps(body),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, timeout=60,
            )
        else:
            response = requests.post(self.assistant.rest_url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()

    def tracker(self) -> Dict[str, Any]:
        url = f"{self.assistant.rasa_url}/conversations/{self.sender}/tracker"
        return requests.get(url, params={"token": self.assistant.rasa_token}, timeout=30).json()

    def backend(self, path: str) -> Any:
        response = requests.get(f"{self.assistant.backend_url}{path}", timeout=10)
        return response.json() if response.ok else None


def play(assistant: Any, conversation: Conversation) -> Outcome:
    """The written messages, then the customer's own facts for as long as the bot asks for them."""
    line = Line(assistant, conversation)
    transcript: List[str] = []

    def send(text: str) -> None:
        transcript.append(f"customer: {text}")
        transcript.extend(f"bot: {answer.get('text', answer)}" for answer in line.says(text))

    for text in conversation.says:
        send(text)
    extra = 0
    failure = judge(line, conversation)
    while failure and extra < MAX_EXTRA_TURNS:
        answer = _answer_from_knowledge(line.tracker(), conversation)
        if answer is None:
            break
        send(answer)
        extra += 1
        failure = judge(line, conversation)
    events = line.tracker()["events"]
    asked_again = sorted({name for name in _utterances(events) if name in NOT_FIRST_GO})
    why = failure or (f"{extra} extra message(s)" if extra else "") or ", ".join(asked_again)
    return Outcome(conversation, solved=not failure, first_go=not failure and not extra and not asked_again,
                   turns=len(conversation.says) + extra, why=why, transcript=transcript)


def _answer_from_knowledge(tracker: Mapping[str, Any], conversation: Conversation) -> Optional[str]:
    requested = tracker["slots"].get("requested_slot")
    if not requested:
        return None
    if requested in conversation.knows:
        return conversation.knows[requested]
    if requested.endswith("_confirmed"):
        return conversation.knows.get("confirm", YES[conversation.language])
    if requested == "contact" or requested.endswith("_contact"):
        return conversation.knows.get("contact")
    return None


def judge(line: Line, conversation: Conversation) -> str:
    """Empty when the conversation's goal is met, else what is not (for the report)."""
    ((kind, wanted),) = conversation.solved.items()
    tracker = line.tracker()
    return JUDGES[kind](line, tracker, wanted)


def _tracked(line: Line, tracker: Mapping[str, Any], number: str) -> str:
    said = _bot_events(tracker["events"])
    shipments = [event for event in said if _name(event).startswith("utter_shipment_")]
    if not shipments:
        return "no parcel status was given"
    last = _compact(shipments[-1].get("text") or "")
    if _compact(number) not in last:
        return f"the last parcel status was not about {number}"
    after_last_customer = _since_last_customer(tracker["events"])
    if any(_name(event) == "utter_tracking_number_check_digit" for event in after_last_customer):
        return "the last number was called wrong"
    return ""


def _check_digit(line: Line, tracker: Mapping[str, Any], _: Any) -> str:
    events = tracker["events"]
    if "utter_tracking_number_check_digit" not in _utterances(events):
        return "the wrong check digit was not told"
    if any(_name(event).startswith("utter_shipment_") for event in _since_last_check_digit(events)):
        return "a parcel was looked up for a number with a wrong check digit"
    return ""


def _order(kind: str) -> Callable[[Line, Mapping[str, Any], Mapping[str, Any]], str]:
    def judged(line: Line, tracker: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
        receipts = _slot_values(tracker["events"], RECEIPTS[kind])
        if not receipts:
            return f"no {kind.replace('_', ' ')} was made"
        return ORDER_CHECKS[kind](line, receipts[-1], wanted)

    return judged


def _address_change(line: Line, receipt: str, wanted: Mapping[str, Any]) -> str:
    order = line.backend(f"/v1/address-changes/{receipt}") or {}
    found = {
        "name": order.get("name"), "old_postcode": (order.get("old_address") or {}).get("postcode"),
        "new_postcode": (order.get("new_address") or {}).get("postcode"), "change_type": order.get("kind"),
        "mail_forwarding": order.get("mail_forwarding"), "new_street": (order.get("new_address") or {}).get("street"),
    }
    return _differences(found, wanted)


def _booking(line: Line, receipt: str, wanted: Mapping[str, Any]) -> str:
    number = _normalised_number(str(wanted["parcel"]))
    bookings = line.backend(f"/v1/shipments/{number}/delivery-bookings") or {}
    rows = bookings.get("bookings", bookings) if isinstance(bookings, dict) else bookings
    booking = next((row for row in rows or [] if row.get("booking_id") == receipt), None)
    if booking is None:
        return f"booking {receipt} is not on parcel {number}"
    option = booking.get("option") or {}
    found = {"parcel": booking.get("tracking_number"), "kind": option.get("kind"),
             "working_day": _working_day(line, number, option)}
    return _differences(found, {**wanted, "parcel": number})


def _working_day(line: Line, number: str, booked: Mapping[str, Any]) -> Optional[int]:
    """Which working day (1, 2, …) the booked option was, as backend/rules.yml numbers its country's options.

    A booking stores its date, not the rule's number; among the options of the same kind the parcel is
    offered, the n-th date is the kind's n-th working day in the rules.
    """
    offered = (line.backend(f"/v1/shipments/{number}/delivery-options") or {}).get("options") or []
    dates = sorted(option["date"] for option in offered if option.get("kind") == booked.get("kind"))
    country = (line.backend(f"/v1/shipments/{number}") or {}).get("country")
    if country not in _rules()["delivery"]["options"]:
        return None
    days = sorted(rule["working_day"] for rule in _rules()["delivery"]["options"][country] if rule["kind"] == booked.get("kind"))
    if booked.get("date") not in dates or len(dates) != len(days):
        return None
    return days[dates.index(booked["date"])]


@functools.lru_cache(maxsize=1)
def _rules() -> Dict[str, Any]:
    return yaml.safe_load((Path(__file__).resolve().parents[2] / "backend" / "rules.yml").read_text(encoding="utf-8"))


def _complaint(line: Line, receipt: str, wanted: Mapping[str, Any]) -> str:
    order = line.backend(f"/v1/complaints/{receipt}") or {}
    found = {"parcel": order.get("tracking_number"), "complaint_type": order.get("type"), "contact": order.get("contact")}
    expected = {**wanted, "parcel": _normalised_number(str(wanted["parcel"]))}
    if "contact" in expected:
        found["contact"] = _compact(str(found["contact"] or "")).lstrip("+")
        expected["contact"] = _compact(str(expected["contact"])).lstrip("+")
        if found["contact"].endswith(expected["contact"].lstrip("0")):
            expected["contact"] = found["contact"]
    return _differences(found, expected)


def _handoff(line: Line, tracker: Mapping[str, Any], _: Any) -> str:
    handed = any(event.get("event") == "pause" for event in tracker["events"])
    return "" if handed or HANDED_OVER & set(_utterances(tracker["events"])) else "not handed to a person"


def _answered(line: Line, tracker: Mapping[str, Any], topic: str) -> str:
    said = _utterances(_since_first_customer(tracker["events"]))
    if not ANSWERS[topic] & set(said):
        return f"{topic.replace('_', ' ')} were not answered"
    if topic == "holiday_hours" and not _mentions_special_day(tracker["events"]):
        return "the holiday's hours were not given"
    return ""


def _honest_limit(line: Line, tracker: Mapping[str, Any], _: Any) -> str:
    """A question the bot has no flow for gets the knowledge base's answer or an honest "not here"."""
    said = _utterances(tracker["events"])
    language, on_phone = line.conversation.language, line.conversation.channel == "phone"
    answered = any(from_knowledge(event.get("text") or "", language, on_phone) for event in _bot_events(tracker["events"]))
    if not HONEST_LIMITS & set(said) and not answered:
        return "the bot did not say it cannot answer that"
    answered = [name for name in said if any(name in names for names in ANSWERS.values()) or name.startswith("utter_shipment_")]
    return f"answered something else: {answered}" if answered else ""


def _nothing(line: Line, tracker: Mapping[str, Any], _: Any) -> str:
    made = [slot for slot in RECEIPTS.values() if _slot_values(tracker["events"], slot)]
    if made:
        return f"an order was made: {made}"
    return "a form is still open" if (tracker.get("active_loop") or {}).get("name") else ""


JUDGES: Dict[str, Callable[[Line, Mapping[str, Any], Any], str]] = {
    "tracked": _tracked, "check_digit": _check_digit, "handoff": _handoff, "answered": _answered,
    "honest_limit": _honest_limit, "nothing": _nothing,
    **{kind: _order(kind) for kind in RECEIPTS},
}
ORDER_CHECKS = {"address_change": _address_change, "booking": _booking, "complaint": _complaint}


def _differences(found: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    wrong = [
        f"{key} {found.get(key)!r}, not {value!r}" for key, value in wanted.items()
        if _comparable(found.get(key)) != _comparable(value)
    ]
    return "; ".join(wrong)


def _comparable(value: Any) -> Any:
    return " ".join(value.casefold().split()) if isinstance(value, str) else value


def _compact(text: str) -> str:
    return re.sub(r"[\s\-.]", "", text).upper()


def _normalised_number(number: str) -> str:
    compact = _compact(number)
    return compact[2:] if len(compact) == 20 and compact.startswith("00") else compact


def _bot_events(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    return [event for event in events if event.get("event") == "bot"]


def _name(event: Mapping[str, Any]) -> str:
    return str((event.get("metadata") or {}).get("utter_action") or "")


def _utterances(events: Sequence[Mapping[str, Any]]) -> List[str]:
    return [_name(event) for event in _bot_events(events)]


def _slot_values(events: Sequence[Mapping[str, Any]], slot: str) -> List[Any]:
    return [event["value"] for event in events if event.get("event") == "slot" and event.get("name") == slot and event.get("value")]


def _since_last_customer(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    last = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    return list(events[last + 1:])


def _since_first_customer(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    first = next((i for i, event in enumerate(events) if event.get("event") == "user"), 0)
    return list(events[first:])


def _since_last_check_digit(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    last = max(i for i, event in enumerate(events) if _name(event) == "utter_tracking_number_check_digit")
    return list(events[last:])


def _mentions_special_day(events: Sequence[Mapping[str, Any]]) -> bool:
    """An hours answer gave one day's hours, or listed special days (" Julaften (24. desember): stengt.")."""
    return any(
        _name(event) in DAY_HOURS
        or (_name(event) in ANSWERS["holiday_hours"] and SPECIAL_DAY.search(event.get("text") or ""))
        for event in _bot_events(events)
    )


def summary(outcomes: Sequence[Outcome]) -> Dict[str, Dict[str, float]]:
    """Per language: conversations, solved, solved at the first go (shares) and average customer turns."""
    figures: Dict[str, Dict[str, float]] = {}
    for language in sorted({outcome.conversation.language for outcome in outcomes}):
        mine = [outcome for outcome in outcomes if outcome.conversation.language == language]
        figures[language] = {
            "conversations": len(mine),
            "solved": round(sum(o.solved for o in mine) / len(mine), 3),
            "first_go": round(sum(o.first_go for o in mine) / len(mine), 3),
            "average_turns": round(sum(o.turns for o in mine) / len(mine), 2),
        }
    return figures
