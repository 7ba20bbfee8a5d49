"""The case card: what the bot learned about a conversation, arranged for an agent to read at a glance.

The hand-off's summary is a snapshot from the moment the bot handed over, and the live
conversation's slots may have moved on since; both name the same facts, so shown side by side
they repeated each other. Here every fact appears once (the live value wins), in the section
case_card.yml puts it in, and the page only has to put words to the codes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from bot import knowledge
from bot.handoff.records import Handoff

LAYOUT = Path(__file__).with_name("case_card.yml")


@dataclass(frozen=True)
class Layout:
    sections: Tuple[Tuple[str, Tuple[str, ...]], ...]
    codes: frozenset
    flags: frozenset
    dates: frozenset


@functools.lru_cache(maxsize=1)
def layout() -> Layout:
    raw = yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))
    return Layout(
        sections=tuple((name, tuple(facts)) for name, facts in raw["sections"].items()),
        codes=frozenset(raw.get("codes") or ()),
        flags=frozenset(raw.get("flags") or ()),
        dates=frozenset(raw.get("dates") or ()),
    )


def card(
    handoff: Handoff,
    summary: Mapping[str, Any],
    live_slots: Mapping[str, Any],
    parcel: Optional[Mapping[str, Any]] = None,
) -> List[Dict[str, Any]]:
    """[{"section", "facts": [{"fact", "value", "kind": "code"|"flag"|"date"|"text"}]}], empty sections left out.

    The queue's own record decides topic, reason and language: a transfer may have changed them
    after the bot's snapshot was taken. `parcel`: the parcel's live facts (bot/desk/parcel_status.py).
    """
    known: Dict[str, Any] = {**summary, **(summary.get("slots") or {}), **live_slots, **(parcel or {})}
    known.update(topic=handoff.topic, reason=handoff.reason, language=handoff.language)
    # The knowledge-base topic the bot answered, by its title in the customer's language; a topic
    # since removed from the knowledge base is not shown as a raw id.
    answered = knowledge.load().topics.get(known.pop("service_topic", None) or "")
    if answered:
        known["service_topic"] = answered.texts[handoff.language].title
    shape = layout()
    sections = []
    for section, facts in shape.sections:
        shown = [
            {"fact": fact, "value": _value(known[fact], fact in shape.flags), "kind": _kind(fact, shape)}
            for fact in facts
            if not _empty(known.get(fact))
        ]
        if shown:
            sections.append({"section": section, "facts": shown})
    return sections


def _kind(fact: str, shape: Layout) -> str:
    for kind, facts in (("code", shape.codes), ("flag", shape.flags), ("date", shape.dates)):
        if fact in facts:
            return kind
    return "text"


def _value(value: Any, flag: bool) -> Any:
    if flag:
        return bool(value)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value if not _empty(item))
    return " ".join(str(value).split())


def _empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, (list, tuple, dict)):
        return not any(not _empty(item) for item in (value.values() if isinstance(value, dict) else value))
    return False
