"""One production topology per test session: 2 Rasa servers behind nginx, PostgreSQL, Redis (bot/cluster).

It is started as soon as the run is known to need it, so both Rasa processes load
their model while other tests run. Its files live in a temporary directory that
the `postgres` user can enter (PostgreSQL runs as that user when we are root);
the servers' logs stay in pytest's temporary directory for reading after a failure.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.support import early_start

CLUSTER = pytest.StashKey[Any]()
RASA_PROCESSES = 2


def _start(log_dir: Path) -> Any:
    from dataclasses import replace

    from bot.cluster import nginx, postgres, redis, settings, topology
    from bot.model_cache import ensure_model

    try:
        nginx.binary(), redis.binary()
    except FileNotFoundError:
        return None  # the fixture skips with the reason
    if postgres.server_bindir() is None:
        return None
    workdir = Path(tempfile.mkdtemp(prefix="kundesenter-cluster-"))
    workdir.chmod(0o711)
    chosen = replace(settings.load().with_free_ports(), rasa_processes=RASA_PROCESSES)
    return topology.start(ensure_model(), chosen, workdir, log_dir)


def pytest_collection_finish(session: pytest.Session) -> None:
    early_start.start_if_needed(session, "cluster", CLUSTER, _start)


def pytest_sessionfinish(session: pytest.Session) -> None:
    running = session.config.stash.get(CLUSTER, None)
    if running is not None:
        try:
            running.stop()
        finally:
            shutil.rmtree(running.database.directory.parent, ignore_errors=True)  # the workdir


@pytest.fixture(scope="session")
def cluster(request: pytest.FixtureRequest) -> Any:
    """The running topology, ready: `cluster.rest_url` goes through nginx to either Rasa process."""
    running = early_start.started(request.config, "cluster", CLUSTER, _start)
    if running is None:
        pytest.skip("needs postgresql, nginx-light and redis-server: scripts/install-system-packages.sh test-packages.txt")
    running.wait_until_ready()
    return running
