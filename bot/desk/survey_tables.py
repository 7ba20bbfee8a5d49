"""The customer survey's table (SQLAlchemy core), created by the survey store when missing.

Its own metadata, apart from the log-in tables: a survey is about a conversation,
not a desk user, and the KPIs read it without touching accounts.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Integer, MetaData, SmallInteger, String, Table, inspect, text
from sqlalchemy.engine import Engine

from bot.sql import UtcDateTime

metadata = MetaData()

# One answer per closed hand-off: the primary key refuses a second one, in the database, so
# it holds whichever desk process takes the answer. No foreign key: the hand-off tables have
# their own metadata, and the desk checks the hand-off is closed before it stores the answer.
surveys = Table(
    "desk_surveys",
    metadata,
    Column("handoff_id", Integer, primary_key=True, autoincrement=False),
    Column("session_id", String(255), nullable=False, index=True),
    Column("language", String(2), nullable=False),
    Column("satisfaction", SmallInteger, nullable=False),
    Column("nps", SmallInteger, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False, index=True),
    # The store validates first; these keep a bad value out even if someone writes around it.
    CheckConstraint("satisfaction BETWEEN 1 AND 5", name="desk_surveys_satisfaction"),
    CheckConstraint("nps BETWEEN 0 AND 10", name="desk_surveys_nps"),
)


def create(engine: Engine) -> None:
    """The table, and on a database made before answers belonged to a hand-off, its `handoff_id` column.

    That older table keyed answers by conversation (session_id); it keeps that key and its
    answers (their hand-off unknown, NULL), and a unique index on the new column gives it
    the same one-answer-per-hand-off rule.
    """
    metadata.create_all(engine)
    if "handoff_id" in {column["name"] for column in inspect(engine).get_columns(surveys.name)}:
        return
    with engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {surveys.name} ADD COLUMN handoff_id INTEGER"))
        # Plain DDL: an `Index` object on `surveys.c.handoff_id` would join the shared table's
        # metadata for good, and every later create_all in this process would make it again.
        connection.execute(
            text(f"CREATE UNIQUE INDEX IF NOT EXISTS desk_surveys_one_per_handoff ON {surveys.name} (handoff_id)")
        )
