"""SQLAlchemy pieces shared by every store of the project (reference back-end, hand-off queue).

The same statements run on SQLite for the demo and PostgreSQL in a shared
environment, chosen by the database URL alone; these two helpers hide the
differences that matter: SQLite keeps no time-zone offset, and its connections
are used from worker threads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
import logging
from typing import Any, Optional

from sqlalchemy import DateTime, TypeDecorator, create_engine
from sqlalchemy.engine import Connection, Engine, make_url

logger = logging.getLogger(__name__)

from bot import private_files


class UtcDateTime(TypeDecorator):
    """Stored as UTC and read back timezone-aware, because SQLite keeps no offset."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:  # astimezone() would silently take it as the server's local time
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware one")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        return value.replace(tzinfo=dt.timezone.utc) if value is not None else None


def connect(url: str) -> Engine:
    """An engine for `url`; nothing is opened until the first statement."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pool_pre_ping: after a database restart a dead pooled connection is replaced, not handed out to fail.
        return create_engine(url, future=True, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        private_files.create(Path(parsed.database))  # 0600: not readable by other local users
    # Callers run statements in worker threads; concurrent writers wait for SQLite's lock instead of failing.
    return create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30})


def erase_securely(connection: Connection) -> None:
    """On SQLite, make this connection's deletes overwrite the rows' bytes instead of leaving them in free pages."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")


def empty_write_ahead_log(engine: Engine) -> None:
    """On SQLite, copy the write-ahead log into the database and truncate it: until then it holds deleted rows."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    if busy and busy[0]:
        logger.warning("%s: a reader kept the write-ahead log from being emptied", engine.url.database)
