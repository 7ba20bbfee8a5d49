"""The contact centre right now, for the supervisor's live view: who is online and how busy, the queue,
the longest wait, today's hand-offs by reason and per agent, and the call-backs still to make.

Read straight from the desk's own tables (queue and log-in sessions) in one worker-thread call,
so the view can be polled every few seconds without going near Rasa.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.desk import tables as login_tables
from bot.desk.accounts import Accounts
from bot.handoff import tables as handoff_tables
from bot.handoff.store import HandoffStore

# An agent whose page asked the desk anything this recently counts as online (the desk polls every 2 s).
ONLINE_WITHIN = dt.timedelta(minutes=2)


def snapshot(queue: HandoffStore, accounts: Accounts, timezone: ZoneInfo) -> Dict[str, Any]:
    """{"now", "queue": {"waiting", "longest_wait_seconds", "by_language", "by_topic"}, "callbacks_waiting",
    "reasons_today", "agents": [{"username", "first_name", "online", "open", "closed_today",
    "average_handling_seconds_today"}]}"""
    now = queue.clock()
    midnight = dt.datetime.combine(now.astimezone(timezone).date(), dt.time(), timezone).astimezone(dt.timezone.utc)
    waiting = queue.waiting()
    today = _handoffs_since(queue, midnight)
    handled: Dict[int, List[float]] = defaultdict(list)
    for row in today:
        if row.closed_at is not None and row.assigned_at is not None and row.agent_id is not None:
            handled[row.agent_id].append((row.closed_at - row.assigned_at).total_seconds())
    online = _online(accounts, now)
    return {
        "now": now.isoformat(timespec="seconds"),
        "queue": {
            "waiting": len(waiting),
            "longest_wait_seconds": int(max((item.waited for item in waiting), default=dt.timedelta()).total_seconds()),
            "by_language": dict(Counter(item.handoff.language for item in waiting)),
            "by_topic": dict(Counter(item.handoff.topic for item in waiting)),
        },
        "callbacks_waiting": len(queue.callbacks()),
        "reasons_today": dict(Counter(row.reason for row in today)),
        "agents": [
            {
                "username": agent.username,
                "first_name": agent.first_name,
                "online": agent.username in online,
                "open": len(queue.assigned_to(agent.id)),
                "closed_today": len(handled[agent.id]),
                "average_handling_seconds_today": (
                    round(sum(handled[agent.id]) / len(handled[agent.id])) if handled[agent.id] else None
                ),
            }
            for agent in queue.agents()
            if agent.active
        ],
    }


def _handoffs_since(queue: HandoffStore, since: dt.datetime) -> List[Any]:
    h = handoff_tables.handoffs
    query = select(h.c.reason, h.c.agent_id, h.c.assigned_at, h.c.closed_at).where(h.c.queued_at >= since)
    with queue.engine.connect() as connection:
        return connection.execute(query).all()


def _online(accounts: Accounts, now: dt.datetime) -> set:
    s = login_tables.sessions
    query = select(s.c.username).where(s.c.last_seen_at >= now - ONLINE_WITHIN, s.c.expires_at > now).distinct()
    with accounts.engine.connect() as connection:
        return {row.username for row in connection.execute(query)}
