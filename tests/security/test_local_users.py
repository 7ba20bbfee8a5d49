"""Another user of the same machine reads neither our secrets nor our data.

Any local user can read every process's command line (/proc/<pid>/cmdline), so
secrets go to the servers by environment or file; the databases and logs the
servers write are for our user alone (mode 0600).
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from bot import secrets, services

pytestmark = pytest.mark.e2e


def parents() -> Dict[int, int]:
    """Every process's parent, from /proc/<pid>/stat."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry.name)] = int(fields[1])
    return parents


def process_tree(roots: List[int]) -> Iterator[int]:
    parent_of = parents()
    seen = set(roots)
    pending = list(roots)
    while pending:
        current = pending.pop()
        yield current
        for pid, parent in parent_of.items():
            if parent == current and pid not in seen:
                seen.add(pid)
                pending.append(pid)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_no_secret_is_on_any_servers_command_line(assistant):
    values = {name: assistant.env[secrets.variable(name)] for name in secrets.NAMES}
    pids = list(process_tree([process.pid for process in assistant.processes.values()]))
    assert len(pids) >= len(assistant.processes)
    for pid in pids:
        line = command_line(pid)
        leaked = [name for name, value in values.items() if value in line]
        assert not leaked, f"{leaked} on the command line of {pid}: {line[:200]}"


def test_no_database_password_is_on_a_command_line(tmp_path):
    """The scaled topology gives the back-end a PostgreSQL URL with its password: by environment."""
    url = "postgresql+psycopg2://kundesenter:pass-word-123@127.0.0.1:5432/carrier_backend"
    running = services.Services(services.Ports(), tmp_path / "t.db", url, url)
    running.env = services._environment(running)
    for name, command in services.commands(running, Path("model.tar.gz")).items():
        assert not [word for word in command if "pass-word-123" in word], name
    assert running.env["BACKEND_DATABASE_URL"] == url


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_the_databases_and_logs_the_servers_wrote_are_ours_alone(assistant, supervisor):
    """`supervisor` has made the desk's first user, so every store has been written."""
    directory = assistant.tracker_db.parent
    written = [p for p in directory.iterdir() if p.suffix in (".db", ".log") or p.name.endswith(("-wal", "-shm"))]
    names = {p.name for p in written}
    assert {"tracker.db", "backend.db", "desk.db", "rasa.log", "actions.log"} <= names
    assert [p.name for p in written if not private(p)] == []

