"""Handing conversations over to people: the persistent queue and routing the agent desk works from."""

from bot.handoff.records import Agent, Callback, Conflict, Handoff, HandoffError, Note, NotFound, Stats, Waiting
from bot.handoff.store import HandoffStore

__all__ = [
    "Agent", "Callback", "Conflict", "Handoff", "HandoffError", "HandoffStore", "Note", "NotFound", "Stats", "Waiting",
]  # fmt: skip
