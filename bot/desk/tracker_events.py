"""Rasa's own tracker table, read by the desk directly rather than through Rasa's API.

Rasa owns `events` (rasa.core.tracker_store.SQLTrackerStore); only the columns the desk reads are
declared. The KPIs count conversations from it; the queue shows each customer's latest words and
how many messages they sent (for the agent's unread marks) from it, in one query for the whole
queue, where asking Rasa would cost a request per row every time the queue is polled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, Iterable, Optional

from sqlalchemy import Float, Integer, String, Text, column, inspect, or_, select, table
from sqlalchemy.engine import Engine

# Intents the bot triggers itself (reminders, the desk's notices) are not a customer talking.
EXTERNAL_PREFIX = "EXTERNAL_"
# What the queue shows of a message: enough to choose by, not the whole story.
MAX_WORDS_CHARACTERS = 160

events = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("timestamp", Float),  # epoch seconds, UTC
    column("intent_name", String),
    column("data", Text),  # the event as JSON
)


def customer_spoke():
    """The rows that are a customer's own message, not one the bot triggered itself."""
    return (events.c.type_name == "user") & or_(
        events.c.intent_name.is_(None), ~events.c.intent_name.startswith(EXTERNAL_PREFIX, autoescape=True)
    )


@dataclass
class Said:
    """What one customer has said: their latest typed words (shortened) and how many messages in all."""

    latest_words: Optional[str] = None
    messages: int = 0


def customers_said(engine: Engine, sender_ids: Iterable[str]) -> Dict[str, Said]:
    """For each conversation that has any: the latest message the customer typed (a pressed button, "/intent",
    is not typed) and the number of their messages.

    A fresh installation has no `events` table until Rasa saves its first conversation: nobody said anything yet.
    """
    wanted = sorted(set(sender_ids))
    if not wanted or not inspect(engine).has_table("events"):
        return {}
    query = (
        select(events.c.sender_id, events.c.data)
        .where(customer_spoke(), events.c.sender_id.in_(wanted))
        .order_by(events.c.id.desc())
    )
    said: Dict[str, Said] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            customer = said.setdefault(row.sender_id, Said())
            customer.messages += 1
            if customer.latest_words is None:
                text = " ".join(str(json.loads(row.data or "{}").get("text") or "").split())
                if text and not text.startswith("/"):
                    customer.latest_words = _shortened(text)
    return said


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_WORDS_CHARACTERS else text[: MAX_WORDS_CHARACTERS - 1].rstrip() + "…"
