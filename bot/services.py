"""Start and stop the Rasa server and the action server as one unit.

`kundesenter run` and the test suite both go through here, so the tests talk to
the servers exactly as a user's `make run` starts them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests

from bot import private_files, project, secrets
from bot.privacy import logs as privacy_logs


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    backend: int = 8077
    desk: int = 8090


@dataclass
class Services:
    """The running servers; stopping it stops every process it started."""

    ports: Ports
    tracker_db: Path
    backend_database_url: str
    desk_database_url: str
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: Dict[str, List[str]] = field(default_factory=dict)
    log_dir: Optional[Path] = None
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def rest_url(self) -> str:
        return f"http://localhost:{self.ports.rasa}/webhooks/rest/webhook"

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.ports.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}/webhook"  # where it listens: loopback only

    @property
    def backend_url(self) -> str:
        return f"http://localhost:{self.ports.backend}"

    @property
    def desk_url(self) -> str:
        return f"http://localhost:{self.ports.desk}"

    @property
    def rasa_token(self) -> str:
        """Rasa's HTTP API answers only with `?token=` this (the desk and tests read trackers with it).

        Rasa gets it from its environment (bot/hotpath), never on its command line.
        """
        return self.env[secrets.variable(secrets.RASA_TOKEN)]

    def stop(self, *names: str) -> None:
        """Stop the named servers (all when none are named), politely first."""
        stop_groups([self.processes[name] for name in names] if names else list(self.processes.values()))

    def __enter__(self) -> "Services":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_groups(processes: List[subprocess.Popen], timeout: float = 20.0) -> None:
    """SIGTERM to each child's process group (each leads its own, see `_spawn`), all at once; SIGKILL after `timeout`."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _environment(services: Services) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(secrets.environment())
    env["ACTION_ENDPOINT_URL"] = services.actions_url
    env["TRACKER_DB"] = str(services.tracker_db)
    env["BACKEND_DATABASE_URL"] = services.backend_database_url  # a PostgreSQL URL holds a password: never in argv
    env["BACKEND_URL"] = services.backend_url
    env["RASA_URL"] = services.rasa_url
    env["DESK_URL"] = services.desk_url
    env["DESK_DATABASE_URL"] = services.desk_database_url
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project.ROOT), env.get("PYTHONPATH")]))
    return env


def _spawn(command: List[str], env: Dict[str, str], log: Optional[Path]) -> subprocess.Popen:
    """The child leads its own process group and creates its files for our user alone (umask 077)."""
    output = private_files.append(log) if log else None  # owned by the child for its lifetime
    return subprocess.Popen(
        command, cwd=project.ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if output else None,
        start_new_session=True, umask=private_files.UMASK,
    )


def start(
    model: Path,
    ports: Ports = Ports(),
    tracker_db: Optional[Path] = None,
    log_dir: Optional[Path] = None,
    backend_database_url: Optional[str] = None,
    environment: Optional[Dict[str, str]] = None,
    desk_database_url: Optional[str] = None,
    backend_seed: Optional[Path] = None,
) -> Services:
    """Start the reference back-end, the action server, the Rasa server and the desk (SQLite stores by default).

    `environment` adds variables for the servers (e.g. a shorter back-end timeout in tests);
    `backend_seed` replaces the reference back-end's demo data (e.g. other opening hours).
    """
    private_files.directory(project.VAR)
    services = Services(
        ports,
        tracker_db or project.VAR / "tracker.db",
        backend_database_url or os.environ.get("BACKEND_DATABASE_URL") or f"sqlite:///{project.VAR / 'backend.db'}",
        desk_database_url or project.desk_database_url(),
    )
    services.env = {**_environment(services), **(environment or {})}
    services.log_dir = log_dir
    services.commands = commands(services, model, backend_seed)
    for name in services.commands:
        respawn(services, name)
    return services


def commands(services: Services, model: Path, backend_seed: Optional[Path] = None) -> Dict[str, List[str]]:
    """Each server's command line; the production topology (bot/cluster) starts the same ones.

    No secret and no database URL is on a command line (any local user reads /proc/<pid>/cmdline):
    they go by the environment (`_environment`). The action server listens on loopback only.
    """
    ports = services.ports
    python = sys.executable
    return {
        "backend": [
            python, "-m", "backend", "--host", "127.0.0.1", "--port", str(ports.backend),
            *(["--seed", str(backend_seed)] if backend_seed else []),
        ],
        "actions": [
            python, "-m", "bot.action_server", "--actions", "actions", "--host", "127.0.0.1", "--port", str(ports.actions),
            "--logging-config_file", str(privacy_logs.CONFIG_FILE),  # sic: the SDK's spelling
        ],
        "rasa": [
            python, "-m", "bot.hotpath", "run",  # `rasa run` with bot/hotpath's fixes
            "--model", str(model),
            "--endpoints", str(project.ENDPOINTS),
            "--credentials", str(project.CREDENTIALS),
            "--port", str(ports.rasa),
            "--enable-api",  # bot/hotpath adds the token from the environment
            "--cors", "*",
            "--logging-config-file", str(privacy_logs.CONFIG_FILE),
        ],
        "desk": [python, "-m", "bot.desk", "--host", "127.0.0.1", "--port", str(ports.desk)],
    }  # fmt: skip


def _log(services: Services, name: str) -> Optional[Path]:
    return services.log_dir / f"{name}.log" if services.log_dir else None


def respawn(services: Services, name: str) -> None:
    """(Re)start one server with its original command; the tests stop and restart them to play outages."""
    services.processes[name] = _spawn(services.commands[name], services.env, _log(services, name))


def wait_for(url: str, name: str, process: subprocess.Popen, timeout: float = 240.0) -> None:
    """Block until ``url`` answers, or raise with the reason."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} did not start: it exited with code {process.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not answer at {url} within {timeout:.0f} s")
        time.sleep(0.3)


def wait_until_ready(services: Services, timeout: float = 240.0) -> None:
    """Block until every server answers, or raise with the reason."""
    checks = {
        "backend": ("reference back-end", f"{services.backend_url}/health"),
        "actions": ("action server", f"http://127.0.0.1:{services.ports.actions}/health"),
        "rasa": ("Rasa server", f"{services.rasa_url}/status?token={services.rasa_token}"),
        "desk": ("desk", f"{services.desk_url}/health"),
    }
    for key, (name, url) in checks.items():
        wait_for(url, name, services.processes[key], timeout)
