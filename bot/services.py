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

from bot import project


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055


@dataclass
class Services:
    """The running servers; stopping it stops every process it started."""

    ports: Ports
    tracker_db: Path
    processes: List[subprocess.Popen] = field(default_factory=list)

    @property
    def rest_url(self) -> str:
        return f"http://localhost:{self.ports.rasa}/webhooks/rest/webhook"

    @property
    def actions_url(self) -> str:
        return f"http://localhost:{self.ports.actions}/webhook"

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> "Services":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _environment(services: Services) -> Dict[str, str]:
    env = dict(os.environ)
    env["ACTION_ENDPOINT_URL"] = services.actions_url
    env["TRACKER_DB"] = str(services.tracker_db)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project.ROOT), env.get("PYTHONPATH")]))
    return env


def _spawn(command: List[str], env: Dict[str, str], log: Optional[Path]) -> subprocess.Popen:
    output = open(log, "ab") if log else None  # noqa: SIM115 - owned by the child for its lifetime
    return subprocess.Popen(
        command, cwd=project.ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )


def start(model: Path, ports: Ports = Ports(), tracker_db: Optional[Path] = None, log_dir: Optional[Path] = None) -> Services:
    """Start the action server and the Rasa server (REST channel, SQLite tracker store)."""
    project.VAR.mkdir(parents=True, exist_ok=True)
    services = Services(ports, tracker_db or project.VAR / "tracker.db")
    env = _environment(services)
    log = (lambda name: log_dir / f"{name}.log") if log_dir else (lambda name: None)
    services.processes.append(
        _spawn([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ports.actions)], env, log("actions"))
    )
    services.processes.append(
        _spawn(
            [
                sys.executable, "-m", "rasa", "run",
                "--model", str(model),
                "--endpoints", str(project.ENDPOINTS),
                "--credentials", str(project.CREDENTIALS),
                "--port", str(ports.rasa),
                "--enable-api",
                "--cors", "*",
            ],
            env,
            log("rasa"),
        )
    )
    return services


def wait_until_ready(services: Services, timeout: float = 240.0) -> None:
    """Block until both servers answer, or raise with the reason."""
    checks = {
        "action server": f"http://localhost:{services.ports.actions}/health",
        "Rasa server": f"http://localhost:{services.ports.rasa}/status",
    }
    deadline = time.monotonic() + timeout
    for name, url in checks.items():
        while True:
            for process in services.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} did not start: a server exited with code {process.returncode}")
            try:
                if requests.get(url, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not answer at {url} within {timeout:.0f} s")
            time.sleep(0.5)
