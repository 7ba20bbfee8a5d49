"""A PostgreSQL server of our own in a data directory: `initdb` once, then start, stop and restart it.

The server listens on 127.0.0.1 only, keeps its socket in its own directory and
asks for a password. PostgreSQL refuses to run as root, so as root the server
binaries run as the `postgres` system user (created by the Debian package), which
owns the directory; otherwise they run as the current user. Nothing touches the
system's own clusters (/etc/postgresql, /var/lib/postgresql).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional

SERVER_USER_WHEN_ROOT = "postgres"
SUPERUSER = "kundesenter"
START_SECONDS = 30
LOOPBACK_ONLY = {"listen_addresses": "127.0.0.1"}
# Speed over durability, for data that lives only as long as a test session.
THROWAWAY_SETTINGS = {**LOOPBACK_ONLY, "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class PostgresError(RuntimeError):
    pass


def server_bindir() -> Optional[Path]:
    """The directory with `initdb`, `pg_ctl` and `postgres`, or None when no PostgreSQL server is installed."""
    candidates: List[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            output = subprocess.run(
                [pg_config, "--bindir"], check=False, capture_output=True, text=True, timeout=10
            ).stdout
            if output.strip():
                candidates.append(Path(output.strip()))
    # Debian keeps the server out of PATH; the newest major version first.
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(d) for d in sorted(debian, key=lambda d: _major(Path(d).parent.name), reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / binary, os.X_OK) for binary in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _major(version: str) -> int:
    return int(version) if version.isdigit() else -1


class Cluster:
    """A cluster in `directory`: `url(database)` for SQLAlchemy, `create_database(name)` for a new empty database."""

    def __init__(
        self, bindir: Path, directory: Path, port: int, password: str, run_as: Optional[str],
        settings: Optional[Dict[str, str]] = None,
    ) -> None:  # fmt: skip
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.socket_dir = directory / "socket"
        self.log = directory / "server.log"
        self.port = port
        self.password = password
        self.run_as = run_as
        self.settings = THROWAWAY_SETTINGS if settings is None else settings

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` and return its URL."""
        from psycopg2 import sql

        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def ensure_database(self, name: str) -> str:
        """The URL of database `name`, created first if the cluster does not have it yet."""
        if not self._execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)):
            self.create_database(name)
        return self.url(name)

    def _execute(self, statement: object, parameters: tuple = ()) -> list:
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password, dbname="postgres"
        )
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with connection.cursor() as cursor:
                cursor.execute(statement, parameters)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def run(self, binary: str, *arguments: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / binary), *arguments]
        if self.run_as and shutil.which("runuser"):
            command = ["runuser", "-u", self.run_as, "--", *command]
        elif self.run_as:
            command = ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(command)]
        # cwd: the server user may not be allowed into the caller's directory.
        return subprocess.run(command, check=False, cwd=self.directory, capture_output=True, text=True, timeout=60)

    def initialise(self) -> None:
        """`initdb` with the superuser's password, unless the data directory already holds a cluster."""
        if (self.data / "PG_VERSION").exists():
            return
        server_user = _server_user(self.run_as)
        self.directory.mkdir(parents=True, exist_ok=True)
        if server_user:
            _check_reachable(self.directory, server_user)
        self.socket_dir.mkdir(exist_ok=True)
        password_file = self.directory / "password"
        password_file.write_text(self.password + "\n")
        if server_user:
            for path in (self.directory, self.socket_dir, password_file):
                os.chown(path, server_user.pw_uid, server_user.pw_gid)
        result = self.run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, f"--pwfile={password_file}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        if result.returncode != 0:
            raise PostgresError(f"initdb failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        options = ["-p", str(self.port), "-k", str(self.socket_dir)]
        for name, value in self.settings.items():
            options += ["-c", f"{name}={value}"]
        result = self.run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_SECONDS),
            "-o", shlex.join(options),
        )  # fmt: skip
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise PostgresError(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{log}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")

    def restart(self) -> None:
        """Stop (`-m fast`: every open connection is cut, as in a real database restart) and start again."""
        self.stop()
        self.start()


def _server_user(run_as: Optional[str]) -> Optional[pwd.struct_passwd]:
    if not run_as:
        return None
    try:
        return pwd.getpwnam(run_as)
    except KeyError:
        raise PostgresError(f"running as root, and there is no '{run_as}' user to run PostgreSQL as") from None


def _check_reachable(directory: Path, user: pwd.struct_passwd) -> None:
    """The server user must be able to pass through every directory above its own, or initdb fails obscurely."""
    for parent in directory.resolve().parents:
        info = parent.stat()
        if not info.st_mode & 0o001 and info.st_uid != user.pw_uid:
            raise PostgresError(
                f"PostgreSQL runs as '{user.pw_name}', who cannot enter {parent}: "
                f"choose a directory whose parents are searchable by all (chmod o+x), e.g. under /tmp or var/"
            )


def server_user() -> Optional[str]:
    """Whom the server runs as: `postgres` when we are root (PostgreSQL refuses root), else ourselves (None)."""
    return SERVER_USER_WHEN_ROOT if os.geteuid() == 0 else None


@contextlib.contextmanager
def throwaway_cluster(bindir: Path) -> Iterator[Cluster]:
    """initdb into a new temporary directory, start on a free port, yield; then stop and delete the directory."""
    directory = Path(tempfile.mkdtemp(prefix="kundesenter-postgres-"))
    cluster = Cluster(bindir, directory, free_port(), secrets.token_hex(16), server_user())
    try:
        cluster.initialise()
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
