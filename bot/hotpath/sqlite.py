"""Rasa's SQLite tracker store: pragmas from sqlite.yml, and connections reused between messages.

Rasa builds its SQLAlchemy engine itself and offers no hook for either. The pragmas are set
from SQLAlchemy's `connect` event, which every new connection passes through. SQLAlchemy 1.4
gives SQLite files a NullPool: every message opened a connection and closed it again, and
closing the last connection of a write-ahead-logged database checkpoints it with an fsync.
A QueuePool (what SQLAlchemy 2 uses for SQLite files) keeps them open; PostgreSQL URLs keep
Rasa's own pool settings.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Union

import rasa.core.tracker_store as rasa_tracker_store
import yaml
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.pool import QueuePool

SETTINGS = Path(__file__).with_name("sqlite.yml")


@lru_cache(maxsize=1)
def pragmas() -> Dict[str, str]:
    return {name: str(value) for name, value in yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))["pragmas"].items()}


def set_pragmas(connection: Any, _record: Any = None) -> None:
    """Apply sqlite.yml's pragmas to a new DB-API connection; other databases are left alone."""
    if not isinstance(connection, sqlite3.Connection):
        return
    cursor = connection.cursor()
    try:
        for name, value in pragmas().items():
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


_rasa_engine_kwargs = rasa_tracker_store.create_engine_kwargs


def engine_kwargs(url: Union[str, URL]) -> Dict[str, Any]:
    """Rasa's `create_engine` arguments, with a connection pool for SQLite files.

    An in-memory SQLite database keeps SQLAlchemy's own pool: it lives in one connection.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return {"poolclass": QueuePool}
    return _rasa_engine_kwargs(url)


def install() -> None:
    if not event.contains(Engine, "connect", set_pragmas):
        event.listen(Engine, "connect", set_pragmas)
    rasa_tracker_store.create_engine_kwargs = engine_kwargs
