"""The persistent hand-off queue: conversations waiting for a person, routed to agents by their skills.

A hand-off waits in the queue of its language and topic; an agent takes the
longest-waiting one among the queues they are skilled for. Every guarantee
that matters when several agents and bot processes share the queue (one open
hand-off per conversation, one agent per hand-off) is enforced by the database
itself, so it holds across processes and on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from bot import project
from bot.handoff import tables as t
from bot.handoff.records import Agent, Callback, Conflict, Handoff, Note, NotFound, Stats, Waiting
from bot.handoff.settings import Settings, load
from bot.identifiers.contact import normalise_contact
from bot.sql import connect

Clock = Callable[[], dt.datetime]



def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class HandoffStore:
    """Queue, routing, notes and call-back requests on one database (SQLite file or PostgreSQL, by URL).

    Every method is synchronous and runs its own short transaction: the bot's
    actions and the agent desk are asynchronous and call these methods in an
    executor (`loop.run_in_executor`). Nothing is locked in this process; races
    are settled by a unique index and by conditional UPDATEs whose row count
    says who won. All times are timezone-aware UTC.
    """

    def __init__(
        self, database_url: Optional[str] = None, settings: Optional[Settings] = None, clock: Clock = utc_now
    ) -> None:
        self.engine = connect(database_url or project.desk_database_url())
        self.settings = settings or load()
        self.clock = clock  # replaceable so tests can let hours pass
        t.metadata.create_all(self.engine)

    # Agents as routing sees them; log-in and roles belong to the desk's accounts (bot/desk/), same username.

    def add_agent(
        self, username: str, first_name: str, languages: Iterable[str], topics: Iterable[str]
    ) -> Agent:
        values = {
            "username": username,
            "first_name": first_name,
            "languages": [self.settings.check("languages", language) for language in languages],
            "topics": [self.settings.check("topics", topic) for topic in topics],
            "active": True,
        }
        try:
            with self.engine.begin() as connection:
                agent_id = connection.execute(insert(t.agents).values(values)).inserted_primary_key[0]
        except IntegrityError:
            raise Conflict(f"username {username!r} is taken") from None
        return self.agent(agent_id)

    def agent(self, agent_id: int) -> Agent:
        with self.engine.connect() as connection:
            return self._agent(connection, agent_id)

    def agent_named(self, username: str) -> Agent:
        """The routing side of a desk user; NotFound when the user has no skills on record."""
        with self.engine.connect() as connection:
            row = connection.execute(select(t.agents).where(t.agents.c.username == username)).first()
        if row is None:
            raise NotFound(f"no agent {username!r}")
        return _agent_record(row)

    def agents(self) -> List[Agent]:
        with self.engine.connect() as connection:
            return [_agent_record(row) for row in connection.execute(select(t.agents).order_by(t.agents.c.first_name))]

    def set_active(self, agent_id: int, active: bool) -> Agent:
        """An inactive agent keeps their history but can claim nothing."""
        with self.engine.begin() as connection:
            connection.execute(update(t.agents).where(t.agents.c.id == agent_id).values(active=active))
            return self._agent(connection, agent_id)

    # The queue

    def enqueue(
        self,
        sender_id: str,
        channel: str,
        language: str,
        topic: str,
        reason: str,
        summary: Optional[Dict[str, Any]] = None,
    ) -> Handoff:
        """Queue the conversation for a person, or return its hand-off that is already open (waiting or assigned).

        `summary` is what the bot collected (intent, tracking number, addresses,
        order or case numbers, a transcript excerpt), shown to the agent.
        """
        values = {
            "sender_id": sender_id,
            "channel": channel,
            "language": self.settings.check("languages", language),
            "topic": self.settings.check("topics", topic),
            "reason": self.settings.check("reasons", reason),
            "status": t.WAITING,
            "summary": summary or {},
            "queued_at": self.clock(),
        }
        while True:
            existing = self.open_handoff_for(sender_id)
            if existing is not None:
                return existing
            try:
                with self.engine.begin() as connection:
                    handoff_id = connection.execute(insert(t.handoffs).values(values)).inserted_primary_key[0]
                    return self._handoff(connection, handoff_id)
            except IntegrityError:
                continue  # a concurrent enqueue of this conversation inserted first: return that one

    def handoff(self, handoff_id: int) -> Handoff:
        with self.engine.connect() as connection:
            return self._handoff(connection, handoff_id)

    def open_handoff_for(self, sender_id: str) -> Optional[Handoff]:
        query = select(t.handoffs).where(t.handoffs.c.sender_id == sender_id, t.handoffs.c.status.in_(t.OPEN))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Handoff(**row._mapping) if row else None

    def last_closed_for(self, sender_id: str) -> Optional[Handoff]:
        """The conversation's most recently closed hand-off: what the customer's survey answer is about."""
        h = t.handoffs
        query = (
            select(h)
            .where(h.c.sender_id == sender_id, h.c.status == t.CLOSED)
            .order_by(h.c.closed_at.desc(), h.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Handoff(**row._mapping) if row else None

    def waiting(self, for_agent: Optional[int] = None) -> List[Waiting]:
        """Waiting hand-offs, longest wait first; only those `for_agent` is skilled for when given."""
        query = _queue()
        with self.engine.connect() as connection:
            if for_agent is not None:
                query = _skilled(query, self._agent(connection, for_agent))
            rows = connection.execute(query).all()
        now = self.clock()
        return [Waiting(Handoff(**row._mapping), now - row.queued_at) for row in rows]

    def assigned_to(self, agent_id: int) -> List[Handoff]:
        """The open hand-offs an agent holds, the oldest first."""
        h = t.handoffs
        query = select(h).where(h.c.status == t.ASSIGNED, h.c.agent_id == agent_id).order_by(h.c.assigned_at, h.c.id)
        with self.engine.connect() as connection:
            return [Handoff(**row._mapping) for row in connection.execute(query)]

    def claim_next(self, agent_id: int) -> Optional[Handoff]:
        """Assign the longest-waiting hand-off in the agent's languages and topics; None when there is none.

        The candidate is picked without a lock and taken with an UPDATE that
        only succeeds while it is still waiting; when another agent was faster
        the next candidate is tried, so two agents never get the same one.
        """
        with self.engine.connect() as connection:
            query = _skilled(_queue(), self._active_agent(connection, agent_id)).with_only_columns(t.handoffs.c.id)
        while True:
            with self.engine.connect() as connection:
                candidate = connection.execute(query.limit(1)).scalar()
            if candidate is None:
                return None
            try:
                return self._assign(candidate, agent_id)
            except Conflict:
                continue

    def claim(self, handoff_id: int, agent_id: int) -> Handoff:
        """Assign a hand-off the agent picked from the list; Conflict if someone else was faster.

        Skills are not checked: the desk lists what fits the agent, and a
        supervisor may take anything.
        """
        with self.engine.connect() as connection:
            self._active_agent(connection, agent_id)
        return self._assign(handoff_id, agent_id)

    def transfer(
        self,
        handoff_id: int,
        to_agent_id: Optional[int] = None,
        to_topic: Optional[str] = None,
        to_language: Optional[str] = None,
    ) -> Handoff:
        """Hand an open hand-off on: to a named agent, or back to the queue (of a new topic or language).

        It keeps its queued_at, so back in a queue it is ahead of everyone who
        came later. Its wait and handling are then measured from the last assignment.
        """
        values: Dict[str, Any] = {}
        if to_topic is not None:
            values["topic"] = self.settings.check("topics", to_topic)
        if to_language is not None:
            values["language"] = self.settings.check("languages", to_language)
        if to_agent_id is not None:
            with self.engine.connect() as connection:
                self._active_agent(connection, to_agent_id)
            values.update(status=t.ASSIGNED, agent_id=to_agent_id, assigned_at=self.clock())
        else:
            values.update(status=t.WAITING, agent_id=None, assigned_at=None)
        return self._change(handoff_id, t.OPEN, values)

    def close(self, handoff_id: int, resolution: str) -> Handoff:
        """Close an open hand-off (also a waiting one, when the customer left) with what was done."""
        return self._change(
            handoff_id, t.OPEN, {"status": t.CLOSED, "closed_at": self.clock(), "resolution": resolution}
        )

    def estimated_wait(self, language: str, topic: str) -> dt.timedelta:
        """Waiting hand-offs in this queue × recent average handling time.

        Asked right after enqueue, the customer's own hand-off is the last one counted.
        """
        h = t.handoffs
        position = select(func.count()).where(
            h.c.status == t.WAITING,
            h.c.language == self.settings.check("languages", language),
            h.c.topic == self.settings.check("topics", topic),
        )
        since = self.clock() - self.settings.handling_window
        recent = select(h.c.assigned_at, h.c.closed_at).where(h.c.closed_at >= since, h.c.assigned_at.is_not(None))
        with self.engine.connect() as connection:
            count = connection.execute(position).scalar_one()
            handling = _mean(row.closed_at - row.assigned_at for row in connection.execute(recent))
        return count * (handling if handling is not None else self.settings.default_handling)

    def stats(self, since: dt.datetime, until: dt.datetime) -> Stats:
        """KPI inputs for the hand-offs queued in [since, until)."""
        h = t.handoffs
        query = select(h.c.reason, h.c.queued_at, h.c.assigned_at, h.c.closed_at).where(
            h.c.queued_at >= since, h.c.queued_at < until
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return Stats(
            by_reason={**dict.fromkeys(self.settings.reasons, 0), **Counter(row.reason for row in rows)},
            average_wait=_mean(row.assigned_at - row.queued_at for row in rows if row.assigned_at),
            average_handling=_mean(
                row.closed_at - row.assigned_at for row in rows if row.assigned_at and row.closed_at
            ),
        )

    # Internal notes: for colleagues, never shown to the customer

    def add_note(self, handoff_id: int, agent_id: int, text: str) -> Note:
        if not text.strip():
            raise ValueError("a note needs some text")
        with self.engine.begin() as connection:
            self._handoff(connection, handoff_id)
            self._agent(connection, agent_id)
            values = {"handoff_id": handoff_id, "agent_id": agent_id, "text": text.strip(), "created_at": self.clock()}
            note_id = connection.execute(insert(t.notes).values(values)).inserted_primary_key[0]
        return Note(id=note_id, **values)

    def notes(self, handoff_id: int) -> List[Note]:
        query = select(t.notes).where(t.notes.c.handoff_id == handoff_id).order_by(t.notes.c.created_at, t.notes.c.id)
        with self.engine.connect() as connection:
            return [Note(**row._mapping) for row in connection.execute(query)]

    # Call-back requests: outside opening hours the customer leaves a contact instead of waiting

    def add_callback(self, sender_id: str, language: str, topic: str, contact: str, preferred_time: str) -> Callback:
        normalised = normalise_contact(contact)
        if normalised is None:
            raise ValueError(
                f"contact {contact!r} is neither an e-mail address nor a Norwegian or Swedish phone number"
            )
        values = {
            "sender_id": sender_id,
            "language": self.settings.check("languages", language),
            "topic": self.settings.check("topics", topic),
            "contact": normalised,
            "preferred_time": preferred_time.strip(),
            "created_at": self.clock(),
            "status": t.CALLBACK_OPEN,
        }
        with self.engine.begin() as connection:
            callback_id = connection.execute(insert(t.callbacks).values(values)).inserted_primary_key[0]
        return Callback(id=callback_id, **values)

    def callbacks(self, status: str = t.CALLBACK_OPEN) -> List[Callback]:
        """Call-back requests with this status, oldest first."""
        c = t.callbacks
        query = select(c).where(c.c.status == status).order_by(c.c.created_at, c.c.id)
        with self.engine.connect() as connection:
            return [Callback(**row._mapping) for row in connection.execute(query)]

    def callback(self, callback_id: int) -> Callback:
        with self.engine.connect() as connection:
            row = connection.execute(select(t.callbacks).where(t.callbacks.c.id == callback_id)).first()
        if row is None:
            raise NotFound(f"no call-back request {callback_id}")
        return Callback(**row._mapping)

    def finish_callback(self, callback_id: int) -> Callback:
        c = t.callbacks
        with self.engine.begin() as connection:
            done = connection.execute(
                update(c).where(c.c.id == callback_id, c.c.status == t.CALLBACK_OPEN).values(status=t.CALLBACK_DONE)
            )
            row = connection.execute(select(c).where(c.c.id == callback_id)).first()
        if row is None:
            raise NotFound(f"no call-back request {callback_id}")
        if done.rowcount != 1:
            raise Conflict(f"call-back request {callback_id} is already done")
        return Callback(**row._mapping)

    # Helpers

    def _assign(self, handoff_id: int, agent_id: int) -> Handoff:
        return self._change(
            handoff_id, (t.WAITING,), {"status": t.ASSIGNED, "agent_id": agent_id, "assigned_at": self.clock()}
        )

    def _change(self, handoff_id: int, from_statuses: Sequence[str], values: Dict[str, Any]) -> Handoff:
        """UPDATE only while the hand-off is in one of `from_statuses`; Conflict when it no longer is."""
        h = t.handoffs
        with self.engine.begin() as connection:
            result = connection.execute(
                update(h).where(h.c.id == handoff_id, h.c.status.in_(from_statuses)).values(values)
            )
            current = self._handoff(connection, handoff_id)
        if result.rowcount != 1:
            holder = f" by agent {current.agent_id}" if current.agent_id is not None else ""
            raise Conflict(f"hand-off {handoff_id} is already {current.status}{holder}")
        return current

    @staticmethod
    def _handoff(connection: Connection, handoff_id: int) -> Handoff:
        row = connection.execute(select(t.handoffs).where(t.handoffs.c.id == handoff_id)).first()
        if row is None:
            raise NotFound(f"no hand-off {handoff_id}")
        return Handoff(**row._mapping)

    @staticmethod
    def _agent(connection: Connection, agent_id: int) -> Agent:
        row = connection.execute(select(t.agents).where(t.agents.c.id == agent_id)).first()
        if row is None:
            raise NotFound(f"no agent {agent_id}")
        return _agent_record(row)

    def _active_agent(self, connection: Connection, agent_id: int) -> Agent:
        agent = self._agent(connection, agent_id)
        if not agent.active:
            raise Conflict(f"agent {agent.username} is not active")
        return agent


def _queue() -> Select:
    h = t.handoffs
    return select(h).where(h.c.status == t.WAITING).order_by(h.c.queued_at, h.c.id)


def _skilled(query: Select, agent: Agent) -> Select:
    return query.where(t.handoffs.c.language.in_(agent.languages), t.handoffs.c.topic.in_(agent.topics))


def _agent_record(row: Row) -> Agent:
    return Agent(
        id=row.id,
        username=row.username,
        first_name=row.first_name,
        languages=tuple(row.languages),
        topics=tuple(row.topics),
        active=bool(row.active),
    )


def _mean(durations: Iterable[dt.timedelta]) -> Optional[dt.timedelta]:
    values = list(durations)
    return sum(values, dt.timedelta()) / len(values) if values else None
