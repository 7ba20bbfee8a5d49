"""The desk's log-in tables (SQLAlchemy core), created by the account store when missing.

Kept apart from the hand-off queue's tables so the log-in can be built, tested
and secured on its own; both are keyed by the same username.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table

from bot.sql import UtcDateTime

# A role's rank: a user may do what their own role and every lower one may.
ROLES = ("agent", "supervisor")

metadata = MetaData()

users = Table(
    "desk_users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("first_name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False),
)

# Only a SHA-256 of the token is stored: a copy of the database logs no one in.
sessions = Table(
    "desk_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(100), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Failed log-ins only: what the rate limit counts, pruned once older than its window.
login_failures = Table(
    "desk_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("client_ip", String(64), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    Index("desk_login_failures_username", "username", "failed_at"),
    Index("desk_login_failures_client_ip", "client_ip", "failed_at"),
)
