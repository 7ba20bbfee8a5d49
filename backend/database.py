"""The back-end's tables (SQLAlchemy core), created on start when missing.

Core rather than ORM: the service only stores documents and looks them up by
number, and the same statements run on SQLite for the demo and PostgreSQL in a
shared environment, chosen by the database URL alone.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Engine

from bot.sql import UtcDateTime, connect  # noqa: F401  (connect: the back-end's way in, used by backend.app)

metadata = MetaData()

# Reference data, rewritten from the demo file on every start.
customer_service = Table(
    "customer_service",
    metadata,
    Column("country", String(2), primary_key=True),
    Column("phone", String(32), nullable=False),
    Column("weekly", JSON, nullable=False),
    Column("holiday_hours", JSON, nullable=False),
)

pickup_points = Table(
    "pickup_points",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),  # pickup_point | parcel_locker
    Column("name", String(200), nullable=False),
    Column("address", String(200), nullable=False),
    Column("postcode", String(10), nullable=False),
    Column("town", String(100), nullable=False),
    Column("country", String(2), nullable=False, index=True),
    Column("weekly", JSON, nullable=False),
    Column("holiday_hours", JSON, nullable=False),
    Column("observes_holidays", Integer, nullable=False),  # 0 for lockers open every day of the year
)

shipments = Table(
    "shipments",
    metadata,
    Column("tracking_number", String(40), primary_key=True),
    Column("country", String(2), nullable=False),
    Column("service", String(40)),
    Column("status", String(24), nullable=False),
    Column("expected_delivery", Date),
    Column("pickup_point_id", String(32)),
    Column("pickup_deadline", Date),
    Column("customs_amount_minor", Integer),  # øre / öre, so amounts stay exact on every database
    Column("customs_currency", String(3)),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tracking_number", String(40), nullable=False, index=True),
    Column("time", UtcDateTime, nullable=False),
    Column("status", String(24), nullable=False),
    Column("location", String(200), nullable=False),
    Column("description", Text, nullable=False),
)

# Orders: written only by the API, never by the demo seed. Numbers are set from
# the row id in the same transaction as the insert.
bookings = Table(
    "delivery_bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("booking_id", String(20), unique=True),
    Column("tracking_number", String(40), nullable=False, index=True),
    Column("option", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # active | replaced
    Column("created_at", UtcDateTime, nullable=False),
)

address_changes = Table(
    "address_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("receipt_number", String(20), unique=True),
    Column("name_key", String(200), nullable=False, index=True),  # casefolded: SQLite's lower() is ASCII only
    Column("document", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_number", String(20), unique=True),
    Column("tracking_number", String(40), nullable=False, index=True),
    Column("document", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# The primary key is what makes a retried POST race-safe: two requests with one
# key cannot both insert here, and the loser replays the winner's answer.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # sha256 of method, path and body
    Column("status", Integer),  # status and response are filled in by the transaction that claimed the key
    Column("response", JSON),
    Column("created_at", UtcDateTime, nullable=False),
)


# Which conversation sent an order (the bot's X-Conversation-Id), so that erasing a customer's
# data (DELETE /v1/conversations/{id}) finds their orders and stored answers. A table of its
# own rather than a column: create_all adds it to a database made by an older version.
order_conversations = Table(
    "order_conversations",
    metadata,
    Column("key", String(200), primary_key=True),  # the order's Idempotency-Key
    Column("conversation", String(200), nullable=False, index=True),
)


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)
