"""Deleting what is stored about customers: one sender on request, and everything past the retention period.

What is stored about a conversation, and where:
- Rasa's tracker store, table `events` (every message and what the bot did), by `sender_id`;
- the desk's database: hand-offs (`sender_id`, with their agents' notes), call-back
  requests (`sender_id`) and survey answers (`session_id`, the same id);
- the phone gateway's call logs, `<calls_dir>/<call id>.json` (the call id is the sender id);
- the carrier back-end's orders and stored idempotency answers (bot/privacy/backend.py), which
  `forget` anonymises and deletes there; the purge leaves the back-end to its own retention.

On SQLite, deleted rows are overwritten (`secure_delete`) and the write-ahead log is
checkpointed and truncated afterwards, so the files keep no copy of what was deleted.

A conversation is deleted whole: retention removes a sender's events only once
its newest event is past the limit, so no tracker is left cut in half. Hand-offs
still waiting or with an agent are not purged (someone is working on them), but
`forget` deletes them too: a customer's request to be forgotten does not wait
for an agent to finish; the agent's view of that conversation then answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ClauseElement, TableClause

from bot.desk import survey_tables
from bot.desk.kpis import events
from bot.handoff import tables as handoff_tables
from bot.privacy.backend import BackendErasure, BackendErasureFailed
from bot.sql import empty_write_ahead_log, erase_securely
from voice import settings as voice_settings

h, notes, callbacks = handoff_tables.handoffs, handoff_tables.notes, handoff_tables.callbacks
surveys = survey_tables.surveys
# (what it is called in the counts, table, condition), children before the rows they point to
Rules = List[Tuple[str, TableClause, ClauseElement]]


@dataclass(frozen=True)
class Erased:
    """How many of each kind were deleted (or, in a dry run, would be), and which stores could not be erased."""

    counts: Dict[str, int]
    failed: Dict[str, str] = field(default_factory=dict)  # store -> why its data may still be there

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        done = ", ".join(f"{kind} {count}" for kind, count in self.counts.items())
        return done + "".join(f"; {store} NOT erased: {why}" for store, why in self.failed.items())


class Eraser:
    def __init__(
        self,
        tracker_engine: Engine,
        desk_engine: Engine,
        calls_dir: Optional[Path] = None,
        backend: Optional[BackendErasure] = None,
    ) -> None:
        """`calls_dir` defaults to the phone gateway's (voice/config.yml `phone.calls_dir`); without `backend`
        the carrier back-end is not asked (its data then stays, and `forget` says so)."""
        self.tracker_engine, self.desk_engine = tracker_engine, desk_engine
        self.backend = backend
        self.calls_dir = calls_dir or voice_settings.load_phone().calls_dir
        handoff_tables.metadata.create_all(desk_engine)
        survey_tables.metadata.create_all(desk_engine)

    def forget(self, sender_id: str) -> Erased:
        """Delete everything stored about `sender_id`."""
        of_sender = select(h.c.id).where(h.c.sender_id == sender_id)
        desk_rules: Rules = [
            ("notes", notes, notes.c.handoff_id.in_(of_sender)),
            ("handoffs", h, h.c.sender_id == sender_id),
            ("callbacks", callbacks, callbacks.c.sender_id == sender_id),
            ("surveys", surveys, surveys.c.session_id == sender_id),
        ]
        call_log = self.calls_dir / f"{sender_id}.json"
        is_own_file = Path(sender_id).name == sender_id  # an id like "../x" names no call log
        erased = self._erase(
            [("events", events, events.c.sender_id == sender_id)],
            desk_rules,
            [call_log] if is_own_file and call_log.is_file() else [],
            dry_run=False,
        )
        if self.backend is None:
            erased.failed["backend"] = "no back-end configured for this eraser"
            return erased
        try:
            erased.counts.update(self.backend.forget(sender_id))
        except BackendErasureFailed as problem:
            erased.failed["backend"] = str(problem)
        return erased

    def purge(self, before: dt.datetime, dry_run: bool = False) -> Erased:
        """Delete conversations, closed hand-offs, call-backs, surveys and call logs older than `before`."""
        stale_senders = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < before.timestamp())
        )
        closed_before = select(h.c.id).where(h.c.status == handoff_tables.CLOSED, h.c.closed_at < before)
        desk_rules: Rules = [
            ("notes", notes, notes.c.handoff_id.in_(closed_before)),
            ("handoffs", h, h.c.id.in_(closed_before)),
            ("callbacks", callbacks, callbacks.c.created_at < before),
            ("surveys", surveys, surveys.c.answered_at < before),
        ]
        old_calls = (
            [path for path in self.calls_dir.glob("*.json") if path.stat().st_mtime < before.timestamp()]
            if self.calls_dir.is_dir()
            else []
        )
        return self._erase([("events", events, events.c.sender_id.in_(stale_senders))], desk_rules, old_calls, dry_run)

    def _erase(self, tracker_rules: Rules, desk_rules: Rules, files: List[Path], dry_run: bool) -> Erased:
        counts: Dict[str, int] = {}
        if inspect(self.tracker_engine).has_table("events"):  # none until Rasa saves its first conversation
            counts.update(_apply(self.tracker_engine, tracker_rules, dry_run))
        else:
            counts["events"] = 0
        counts.update(_apply(self.desk_engine, desk_rules, dry_run))
        if not dry_run:
            for path in files:
                path.unlink(missing_ok=True)
        counts["call_logs"] = len(files)
        return Erased(counts)


def _apply(engine: Engine, rules: Rules, dry_run: bool) -> Dict[str, int]:
    """Each rule's rows counted (dry run) or deleted, in one transaction per database."""
    counts: Dict[str, int] = {}
    with engine.begin() as connection:
        if not dry_run:
            erase_securely(connection)
        for kind, table, condition in rules:
            if dry_run:
                counts[kind] = connection.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
            else:
                counts[kind] = connection.execute(delete(table).where(condition)).rowcount
    if not dry_run:
        empty_write_ahead_log(engine)
    return counts
