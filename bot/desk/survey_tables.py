"""The customer survey's table (SQLAlchemy core), created by the survey store when missing.

Its own metadata, apart from the log-in tables: a survey is about a conversation,
not a desk user, and the KPIs read it without touching accounts.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, MetaData, SmallInteger, String, Table

from bot.sql import UtcDateTime

metadata = MetaData()

# One answer per conversation: the primary key is what makes a second answer replace the first.
surveys = Table(
    "desk_surveys",
    metadata,
    Column("session_id", String(255), primary_key=True),
    Column("language", String(2), nullable=False),
    Column("satisfaction", SmallInteger, nullable=False),
    Column("nps", SmallInteger, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False, index=True),
    # The store validates first; these keep a bad value out even if someone writes around it.
    CheckConstraint("satisfaction BETWEEN 1 AND 5", name="desk_surveys_satisfaction"),
    CheckConstraint("nps BETWEEN 0 AND 10", name="desk_surveys_nps"),
)
