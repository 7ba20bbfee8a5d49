"""Rasa's SQL tracker store, made to survive a database restart.

Rasa's `SQLTrackerStore` keeps a pool of connections and never checks them: after
PostgreSQL restarts, the next turn of each pooled connection fails, and Rasa's
fail-safe wrapper then quietly keeps that turn in memory only, so it never reaches
the database (a lost turn for the desk, the KPIs and the other Rasa processes).
With `pool_pre_ping` SQLAlchemy tests each connection as it leaves the pool and
replaces a dead one, so the first turn after the restart is stored like any other.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    """`type: bot.cluster.tracker_store.ResilientSQLTrackerStore` in an endpoints file; the same settings as `SQL`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # creates the tables (waiting for the database), then we swap the engine
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
