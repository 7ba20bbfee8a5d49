"""What the store hands out: plain immutable records, so callers never hold a database row or connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple


class HandoffError(Exception):
    """Base of the store's refusals, so the desk can turn any of them into a message."""


class NotFound(HandoffError, LookupError):
    pass


class Conflict(HandoffError):
    """The hand-off is no longer in a state that allows this (claimed by someone else, closed, ...)."""


@dataclass(frozen=True)
class Handoff:
    id: int
    sender_id: str
    channel: str
    language: str
    topic: str
    reason: str
    status: str
    summary: Dict[str, Any]
    queued_at: dt.datetime
    assigned_at: Optional[dt.datetime]
    closed_at: Optional[dt.datetime]
    agent_id: Optional[int]
    resolution: Optional[str]


@dataclass(frozen=True)
class Waiting:
    """A waiting hand-off and how long the customer has waited so far."""

    handoff: Handoff
    waited: dt.timedelta


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    first_name: str
    languages: Tuple[str, ...]
    topics: Tuple[str, ...]
    active: bool

    def skilled_for(self, language: str, topic: str) -> bool:
        return language in self.languages and topic in self.topics

    def may_see(self, handoff: Handoff) -> bool:
        """What they hold (or held) and what waits for their skills; a transcript is personal data, not for all.

        Supervisors see everything: the desk checks the role before asking this.
        """
        waiting_for_me = handoff.status == "waiting" and self.skilled_for(handoff.language, handoff.topic)
        return handoff.agent_id == self.id or waiting_for_me


@dataclass(frozen=True)
class Note:
    id: int
    handoff_id: int
    agent_id: int
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Callback:
    id: int
    sender_id: str
    language: str
    topic: str
    contact: str
    preferred_time: str
    created_at: dt.datetime
    status: str


@dataclass(frozen=True)
class Stats:
    """KPI inputs over the hand-offs queued in a period; averages are None when nothing was measured."""

    by_reason: Dict[str, int]
    average_wait: Optional[dt.timedelta]  # assigned_at - queued_at, of those assigned
    average_handling: Optional[dt.timedelta]  # closed_at - assigned_at, of those closed by an agent
