"""The hand-off queue's tables (SQLAlchemy core), created by the store when missing.

Skills are JSON lists on the agent rather than a join table: routing reads one
agent's skills and filters the queue with `IN`, which both databases do the same way.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, text

from bot.sql import UtcDateTime

# Statuses drive behaviour, so they are code; what may be routed on is in handoff.yml.
WAITING, ASSIGNED, CLOSED = "waiting", "assigned", "closed"
OPEN = (WAITING, ASSIGNED)
CALLBACK_OPEN, CALLBACK_DONE = "open", "done"

metadata = MetaData()

agents = Table(
    "handoff_agents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("first_name", String(100), nullable=False),  # the only name the customer sees
    Column("languages", JSON, nullable=False),
    Column("topics", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    Column("channel", String(50), nullable=False),
    Column("language", String(2), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("summary", JSON, nullable=False),
    Column("queued_at", UtcDateTime, nullable=False),
    Column("assigned_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("agent_id", Integer, ForeignKey(agents.c.id)),
    Column("resolution", Text),
    Index("handoffs_queue", "status", "language", "topic", "queued_at"),
    Index("handoffs_closed", "closed_at"),
)

# At most one open hand-off per conversation, enforced by the database so that
# two enqueues at the same moment cannot both insert (a partial unique index:
# closed hand-offs of the same conversation may be many).
_open_only = text("status IN ('waiting', 'assigned')")
Index(
    "handoffs_one_open_per_sender",
    handoffs.c.sender_id,
    unique=True,
    sqlite_where=_open_only,
    postgresql_where=_open_only,
)

notes = Table(
    "handoff_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", Integer, ForeignKey(handoffs.c.id), nullable=False, index=True),
    Column("agent_id", Integer, ForeignKey(agents.c.id), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

callbacks = Table(
    "handoff_callbacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    Column("language", String(2), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("contact", String(255), nullable=False),  # normalised e-mail or E.164 phone
    Column("preferred_time", Text, nullable=False),  # as the customer put it
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(8), nullable=False, index=True),
)
