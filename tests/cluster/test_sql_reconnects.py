"""The project's SQL engines (desk, hand-off queue, back-end) keep working across a PostgreSQL restart.

The same fault as the topology's tracker store (test_faults.py), at the level of
`bot.sql.connect`, on a PostgreSQL cluster of this test's own.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.cluster import postgres
from bot.sql import connect


def test_an_engine_reconnects_after_postgresql_restarts():
    bindir = postgres.server_bindir()
    if bindir is None:
        pytest.skip("needs the Debian package postgresql (scripts/install-system-packages.sh test-packages.txt)")
    with postgres.throwaway_cluster(bindir) as database:
        engine = connect(database.url())
        with engine.connect() as connection:  # a connection now waits in the pool
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
        database.restart()  # cuts it
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 2")).scalar() == 2
        engine.dispose()
