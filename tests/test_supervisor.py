"""`kundesenter run` keeps serving when one server dies (bot/supervisor.py), with real server processes.

`kundesenter run` itself would load the Rasa model a second time; these tests run the
supervisor it uses over the back-end and the desk, started with their real commands.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest
import requests

from bot import services, supervisor
from bot.cluster.postgres import free_port

QUICK = replace(supervisor.load(), first_backoff_seconds=0.2, max_backoff_seconds=1.0, poll_seconds=0.1)


@pytest.fixture
def servers(tmp_path: Path):
    """The back-end and the desk, as `kundesenter run` starts them (SQLite in tmp_path)."""
    running = services.Services(
        services.Ports(free_port(), free_port(), free_port(), free_port()),
        tmp_path / "tracker.db", f"sqlite:///{tmp_path / 'backend.db'}", f"sqlite:///{tmp_path / 'desk.db'}",
        log_dir=tmp_path,
    )  # fmt: skip
    running.env = services._environment(running)
    every = services.commands(running, Path("unused-model.tar.gz"))
    running.commands = {"backend": every["backend"], "desk": every["desk"]}
    yield running
    running.stop()


def start(running: services.Services) -> None:
    for name in running.commands:
        services.respawn(running, name)
    health(running, "backend")
    health(running, "desk")


def health(running: services.Services, name: str, timeout: float = 60) -> None:
    url = {"backend": running.backend_url, "desk": running.desk_url}[name]
    services.wait_for(f"{url}/health", name, running.processes[name], timeout)


def eventually(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=2).ok
    except requests.ConnectionError:
        return False


def test_a_killed_server_comes_back_while_the_others_keep_serving(servers, caplog):
    caplog.set_level(logging.WARNING, logger="bot.supervisor")
    start(servers)
    watching = supervisor.Supervisor(servers, QUICK, servers.stop)
    result = []
    thread = threading.Thread(target=lambda: result.append(watching.run()), daemon=True)
    thread.start()
    killed, desk = servers.processes["backend"], servers.processes["desk"]

    os.killpg(killed.pid, signal.SIGKILL)
    eventually(lambda: servers.processes["backend"] is not killed and answers(servers.backend_url))

    assert servers.processes["desk"] is desk and desk.poll() is None  # never restarted, never stopped
    assert answers(servers.desk_url)
    assert "backend exited with code -9" in caplog.text and "backend restarted" in caplog.text
    watching.stop()
    thread.join(timeout=60)
    assert result == [0]
    assert all(process.poll() is not None for process in servers.processes.values())


def test_a_server_that_keeps_crashing_stops_everything(servers, caplog):
    caplog.set_level(logging.WARNING, logger="bot.supervisor")
    servers.commands["broken"] = [sys.executable, "-c", "import sys; sys.exit(3)"]
    start(servers)
    crash_loop = replace(QUICK, crash_limit=3)

    assert supervisor.Supervisor(servers, crash_loop, servers.stop).run() == 1

    assert caplog.text.count("broken restarted") == crash_loop.crash_limit - 1
    assert "broken exited with code 3, 3 time(s) within 600 s: giving up, stopping every server" in caplog.text
    assert all(process.poll() is not None for process in servers.processes.values())
    assert not answers(servers.backend_url) and not answers(servers.desk_url)


def test_the_wait_before_a_restart_doubles_up_to_its_cap():
    settings = replace(supervisor.load(), first_backoff_seconds=1, max_backoff_seconds=5)
    assert [settings.backoff(crashes) for crashes in range(1, 6)] == [1, 2, 4, 5, 5]
