"""Keeps the servers of `kundesenter run` (and `kundesenter cluster`) running when one of them dies.

A half-running assistant still serves most customers: a dead server is restarted
with its own command, the others keep serving. Each restart waits a backoff that
doubles with every recent crash of that server (capped), so a server that cannot
start does not spin; when one server crashes `crashes` times within the window
(supervisor.yml) something needs a person, and the supervisor stops everything
with a log line naming the server. Ctrl-C and SIGTERM stop everything too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Deque, Dict

import yaml

from bot import services

FILE = Path(__file__).with_name("supervisor.yml")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    first_backoff_seconds: float
    max_backoff_seconds: float
    crash_limit: int
    crash_window_seconds: float
    poll_seconds: float

    def backoff(self, recent_crashes: int) -> float:
        """Seconds before a restart after this many crashes within the window (1: the first)."""
        return min(self.max_backoff_seconds, self.first_backoff_seconds * 2 ** (recent_crashes - 1))


def load(path: Path = FILE) -> Settings:
    raw = yaml.safe_load(path.read_text())
    return Settings(
        first_backoff_seconds=float(raw["restart"]["first_backoff_seconds"]),
        max_backoff_seconds=float(raw["restart"]["max_backoff_seconds"]),
        crash_limit=int(raw["crash_loop"]["crashes"]),
        crash_window_seconds=float(raw["crash_loop"]["window_seconds"]),
        poll_seconds=float(raw["poll_seconds"]),
    )


class CrashLoop(Exception):
    """One server crashed too often within the window: restarting it again would not help."""


class Supervisor:
    """Watches `servers.processes`; `run()` until `stop()`, Ctrl-C, SIGTERM (SystemExit) or a crash loop."""

    def __init__(self, servers: services.Services, settings: Settings, stop_all: Callable[[], None]) -> None:
        self.servers = servers
        self.settings = settings
        self.stop_all = stop_all  # e.g. the cluster's stop, which also stops PostgreSQL
        self.crashes: Dict[str, Deque[float]] = defaultdict(deque)
        self.restart_at: Dict[str, float] = {}
        self.stopping = threading.Event()

    def run(self, ready: Callable[[], None] = lambda: None) -> int:
        """`ready()` (e.g. wait for every server, print the banner), then supervise: 0 when stopped, 1 on a crash loop.

        Every server is stopped when this returns, whatever the reason.
        """
        try:
            ready()
            while not self.stopping.wait(self.settings.poll_seconds):
                self.check()
            return 0
        except CrashLoop as loop:
            logger.error("%s: giving up, stopping every server", loop)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop_all()

    def stop(self) -> None:
        """Make `run()` stop everything and return 0 (from another thread)."""
        self.stopping.set()

    def check(self) -> None:
        """One round: note the servers that died, restart those whose backoff is over."""
        now = time.monotonic()
        for name, process in list(self.servers.processes.items()):
            if name in self.restart_at:
                if now >= self.restart_at[name]:
                    self._restart(name)
            elif process.poll() is not None:
                self._crashed(name, process.returncode, now)

    def _crashed(self, name: str, code: int, now: float) -> None:
        with contextlib.suppress(ProcessLookupError):  # what the dead leader left in its group would hold its port
            os.killpg(self.servers.processes[name].pid, signal.SIGKILL)
        recent = self.crashes[name]
        recent.append(now)
        while now - recent[0] > self.settings.crash_window_seconds:
            recent.popleft()
        window = f"{len(recent)} time(s) within {self.settings.crash_window_seconds:g} s"
        if len(recent) >= self.settings.crash_limit:
            raise CrashLoop(f"{name} exited with code {code}, {window}")
        delay = self.settings.backoff(len(recent))
        logger.warning(
            "%s exited with code %s (%s; at %d it is stopped for good); restarting it in %g s, the others keep serving",
            name, code, window, self.settings.crash_limit, delay,
        )  # fmt: skip
        self.restart_at[name] = now + delay

    def _restart(self, name: str) -> None:
        del self.restart_at[name]
        services.respawn(self.servers, name)
        logger.warning("%s restarted (pid %d)", name, self.servers.processes[name].pid)
