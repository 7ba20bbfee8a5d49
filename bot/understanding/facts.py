"""Every fact a flow needs, read from one customer message: slot name → value as the form's validator reads it.

The message may answer the bot's question, tell the whole case at once, or correct an earlier
answer. What the bot asked (`Context.requested`) decides how a bare answer is read ("kari holm"
is a name only when the name was asked); everything else counts only when the message says what
it is ("jeg heter …", "fra … til …", a date, "for godt", "ettersend posten").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from bot.identifiers.contact import find_emails, find_phone_numbers
from bot.understanding.addresses import NEW, OLD, by_role, find_addresses, mask_numbers
from bot.understanding.corrections import corrected, is_correction, read_address_correction
from bot.understanding.names import name_after, name_in_clause, read_name, respelt
from bot.understanding.periods import find_dates, find_duration
from bot.understanding.words import contains_phrase, fold, tokens, vocabulary, word_set

ADDRESS_SLOTS = {OLD: "old_address", NEW: "new_address"}
CASE_SLOTS = ("person_name", "old_address", "new_address", "moving_date", "change_type")
_NEGATION = frozenset({"ikke", "ikkje", "inte", "ej", "nei", "nej", "ingen", "uten", "utan", "slipper"})


@dataclass(frozen=True)
class Context:
    """Where the conversation is: the slot the bot asked for (None when the form starts) and what is known."""

    today: dt.date
    requested: Optional[str] = None
    filled: Mapping[str, Any] = field(default_factory=dict)
    last_address: Optional[str] = None  # the address slot the customer gave last


def match_choice(question: str, text: str) -> Optional[str]:
    """The option of a closed question (actions/choices.py) that ``text`` names, also without æøå/åäö marks.

    Imported when called: importing the `actions` package loads every action, and the forms'
    actions import this module.
    """
    from actions.choices import match_choice as choice

    return choice(question, text) or choice(question, fold(text))


def address_change_facts(text: str, context: Context) -> Dict[str, Any]:
    """Name, from- and to-address, moving and end date, permanent/temporary, mail forwarding."""
    facts: Dict[str, Any] = {}
    found = find_addresses(text)
    facts.update(_addresses(text, found, context))
    name = _name(text, context)
    if name:
        facts["person_name"] = name
    rest = _without_addresses(text, found)
    change_type = match_choice("change_type", rest) if _may_change("change_type", text, context) else None
    if change_type:
        facts["change_type"] = change_type
    facts.update(_dates(rest, context, facts.get("change_type") or context.filled.get("change_type")))
    facts.update(_end_from_duration(rest, facts, context))
    if {"moving_date", "end_date"} <= facts.keys() and not (facts.get("change_type") or context.filled.get("change_type")):
        facts["change_type"] = "temporary"  # "fra 10. januar til 30. april": a move with an end is temporary
    forwarding = _forwarding(rest)
    if forwarding is not None:
        facts["mail_forwarding"] = forwarding
    elif context.requested is None and _whole_case(facts):
        # Mail follows an address change at the post office; a customer who told the whole move in
        # one message is not questioned about it, and the summary shows "yes" to confirm or change.
        facts["mail_forwarding"] = True
    return facts


def complaint_facts(text: str, context: Context) -> Dict[str, Any]:
    """What happened (the kind and, from a message that tells it, the description) and how to reach the customer."""
    facts: Dict[str, Any] = {}
    rest = " ".join(mask_numbers(text).split())
    kind = match_choice("complaint_type", rest) if _may_change("complaint_type", text, context) else None
    if kind:
        facts["complaint_type"] = kind
    told = kind or (context.requested == "complaint_type" and match_choice("complaint_type", rest))
    words = [w for w, _, _ in tokens(rest) if fold(w) not in word_set("name_stops")]
    if (told and context.requested in (None, "tracking_number", "complaint_type")
            and len(words) >= vocabulary()["complaint_description_min_words"]):
        facts["complaint_description"] = rest
    if context.requested != "contact":
        contact = next(find_emails(text), None) or next(find_phone_numbers(text), None)
        if contact:
            facts["contact"] = contact[0]
    return facts


def booking_facts(text: str, context: Context) -> Dict[str, Any]:
    """A wish for when or where, said with the parcel number: the option validator picks by it."""
    if context.requested not in (None, "tracking_number"):
        return {}
    rest = " ".join(mask_numbers(text).split())
    hinted = contains_phrase(rest, word_set("booking_hints") | word_set("booking_days")) or bool(
        find_dates(rest, context.today))
    return {"delivery_option": rest} if hinted else {}


def asks_for_other_delivery(text: str) -> bool:
    """The message asks to change how or when a parcel comes, whatever else it says about it.

    "kan CP… bare legges i postkassa?" or "Kan ni köra hem det?" often read as tracking to the NLU;
    a bare day ("kommer den på fredag?") is a question about the parcel, not a wish.
    """
    rest = " ".join(mask_numbers(text).split())
    if contains_phrase(rest, word_set("delivery_change_requests")):
        return True
    return all(contains_phrase(rest, word_set(words)) for words in ("delivery_wish_verbs", "booking_hints", "wish_markers"))


def _may_change(slot: str, text: str, context: Context) -> bool:
    """A closed choice is read from a message not asked about it only until it is known, or to correct it.

    Once chosen, a word in passing ("tom" in a description, "i sommer" in a date) must not change it.
    """
    if context.requested == slot:
        return False  # the answer itself: the choice's own validator reads it
    answering_summary = bool(context.requested and context.requested.endswith("_confirmed"))
    return not context.filled.get(slot) or answering_summary or is_correction(text)


def _addresses(text: str, found: list, context: Context) -> Dict[str, str]:
    """Addresses the message names; an unnamed one answers the question, or corrects the latest address."""
    named = {ADDRESS_SLOTS[role]: address.text for role, address in by_role(found).items()}
    if named:
        return named
    if found:
        slot = _slot_for_unnamed(context)
        return {slot: found[-1].text} if slot else {}
    correction = read_address_correction(text)
    if correction is None:
        return {}
    slot = ADDRESS_SLOTS[correction.role] if correction.role else context.last_address
    value = corrected(context.filled[slot], correction) if slot and context.filled.get(slot) else None
    return {slot: value} if value else {}


def _slot_for_unnamed(context: Context) -> Optional[str]:
    if context.requested in ADDRESS_SLOTS.values():
        return context.requested
    if context.requested is None:
        return None  # "Storgata 5, 0155 Oslo" alone in the first message: from or to? The form asks.
    if context.last_address:
        return context.last_address
    return next((slot for slot in ADDRESS_SLOTS.values() if not context.filled.get(slot)), None)


def _name(text: str, context: Context) -> Optional[str]:
    """The name the message gives, or the stored name as the message corrects it."""
    if context.requested == "person_name":
        return read_name(text, answering=True)
    name = read_name(text)
    stored = context.filled.get("person_name")
    if name or not stored:
        return name or name_in_clause(text)
    if not is_correction(text):
        return None
    words = [(fold(w), end) for w, _, end in tokens(text)]
    field_word = next((end for w, end in words if w in word_set("name_words")), None)
    whole = name_after(text, field_word) if field_word is not None else None
    if whole and len(whole.split()) > 1:
        return whole  # "namnet är fel, det ska vara Karin Holm"
    part = next(("last" if w in word_set("surname_words") else "first"
                 for w, _ in words if w in word_set("surname_words") | word_set("first_name_words")), None)
    return respelt(stored, text, part)


def _dates(text: str, context: Context, change_type: Optional[str]) -> Dict[str, str]:
    found = find_dates(text, context.today)
    if not found:
        return {}
    if context.requested == "end_date":
        return {"end_date": found[-1].date.isoformat()}
    if len(found) >= 2:
        return {"moving_date": found[0].date.isoformat(), "end_date": found[1].date.isoformat()}
    date = found[0]
    if date.ends_period and context.requested == "moving_date" and not context.filled.get("moving_date"):
        return {"end_date": date.date.isoformat()}  # "til og med 28. februar": the end; the start is asked again
    ends = date.ends_period or contains_phrase(text, word_set("end_date_words"))
    if ends and change_type == "temporary" and (context.filled.get("moving_date") or context.requested != "moving_date"):
        if context.filled.get("moving_date") or context.requested is not None:
            return {"end_date": date.date.isoformat()}
    return {"moving_date": date.date.isoformat()}


def _end_from_duration(text: str, facts: Dict[str, Any], context: Context) -> Dict[str, str]:
    """ "fra neste lørdag og fire uker fram", "ett par månader": the end date counted from the moving date."""
    change_type = facts.get("change_type") or context.filled.get("change_type")
    start = facts.get("moving_date") or context.filled.get("moving_date")
    lasting = find_duration(text) if "end_date" not in facts and change_type != "permanent" else None
    if not lasting or not start:
        return {}
    return {"end_date": (dt.date.fromisoformat(start) + lasting).isoformat(), "change_type": "temporary"}


def _forwarding(text: str) -> Optional[bool]:
    if contains_phrase(text, word_set("forwarding_no")):
        return False
    if not contains_phrase(text, word_set("forwarding_yes")):
        return None
    return not any(fold(w) in _NEGATION for w, _, _ in tokens(text))


def _whole_case(facts: Dict[str, Any]) -> bool:
    temporary = facts.get("change_type") == "temporary"
    return all(facts.get(slot) for slot in CASE_SLOTS) and (not temporary or bool(facts.get("end_date")))


def _without_addresses(text: str, found: list) -> str:
    """The message with its addresses and numbers blanked, so their digits are not read as dates."""
    for address in found:
        text = text[:address.start] + " " * (address.end - address.start) + text[address.end:]
    return re.sub(r"\s+", " ", mask_numbers(text)).strip()
