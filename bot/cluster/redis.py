"""Redis for Rasa's lock store: a generated config, run in the foreground as a child process.

Locks live only as long as a turn, so nothing is written to disk; a restarted
Redis starts empty, which is what the lock store expects.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import List


def binary() -> str:
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if not found:
        raise FileNotFoundError("redis-server is not installed: scripts/install-system-packages.sh cluster-packages.txt")
    return found


def write_config(directory: Path, port: int, password: str) -> Path:
    """The config file in `directory` (mode 0600: it holds the password)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "redis.conf"
    path.touch(mode=0o600)
    path.write_text(
        "bind 127.0.0.1\n"
        f"port {port}\n"
        f"requirepass {password}\n"
        f"dir {directory}\n"
        "daemonize no\n"
        'save ""\n'
        "appendonly no\n"
        "protected-mode yes\n"
    )
    return path


def command(config: Path) -> List[str]:
    return [binary(), str(config)]


def wait_until_ready(port: int, password: str, timeout: float = 30.0) -> None:
    """Block until Redis answers PING (it loads nothing, so this takes milliseconds)."""
    import redis

    deadline = time.monotonic() + timeout
    with redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2) as client:
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)
