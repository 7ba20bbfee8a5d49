"""Files only our own user may read: the databases and logs hold conversations, orders and hand-offs.

The servers start with umask UMASK (bot/services.py), so whatever they create
(Rasa's SQLite tracker store, the desk's and the back-end's databases, SQLite's
journals, which take the database's mode) is 0600 and their directories 0700.
Our own code creates its SQLite files 0600 as well (bot/sql.py), for commands
that run outside `kundesenter run`, such as `kundesenter agents add` before the
first start, and the servers' log files are opened here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

UMASK = 0o077
FILE_MODE = 0o600


def directory(path: Path, passable: bool = False) -> Path:
    """`path`, created if missing, mode 0700; `passable` 0711: others may pass through to a place of theirs, never list."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o711 if passable else 0o700)
    return path


def create(path: Path) -> Path:
    """`path` created empty with mode 0600 unless it exists (SQLite takes an empty file as a new database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    return path


def append(path: Path) -> BinaryIO:
    """`path` opened for appending, created with mode 0600 if missing."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE), "ab")
