"""A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, started on a free port, removed after.

The server listens on 127.0.0.1 only, keeps its socket in its own directory and
asks for a password made up for this run. PostgreSQL refuses to run as root, so
as root the server binaries run as the `postgres` system user (created by the
Debian package), which owns the directory; otherwise they run as the current user.
Durability is switched off: the data lives only as long as the test session.
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
from typing import Iterator, List, Optional

SERVER_USER_WHEN_ROOT = "postgres"
SUPERUSER = "kundesenter"
START_SECONDS = 30
# Speed over durability, and no connections from anywhere but this machine's loopback.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


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
    """A running cluster: `url(database)` for SQLAlchemy, `create_database(name)` for a new empty database."""

    def __init__(self, bindir: Path, directory: Path, port: int, password: str, run_as: Optional[str]) -> None:
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.socket_dir = directory / "socket"
        self.log = directory / "server.log"
        self.port = port
        self.password = password
        self.run_as = run_as

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` and return its URL."""
        import psycopg2
        from psycopg2 import sql

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password, dbname="postgres"
        )
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            connection.close()
        return self.url(name)

    def run(self, binary: str, *arguments: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / binary), *arguments]
        if self.run_as and shutil.which("runuser"):
            command = ["runuser", "-u", self.run_as, "--", *command]
        elif self.run_as:
            command = ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(command)]
        # cwd: the server user may not be allowed into the caller's directory.
        return subprocess.run(command, check=False, cwd=self.directory, capture_output=True, text=True, timeout=60)

    def start(self) -> None:
        options = ["-p", str(self.port), "-k", str(self.socket_dir)]
        for name, value in SERVER_SETTINGS.items():
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


@contextlib.contextmanager
def throwaway_cluster(bindir: Path) -> Iterator[Cluster]:
    """initdb, start on a free port, yield; then `pg_ctl stop -m fast` and delete the directory."""
    run_as = SERVER_USER_WHEN_ROOT if os.geteuid() == 0 else None
    if run_as:
        try:
            server_user = pwd.getpwnam(run_as)
        except KeyError:
            raise PostgresError(f"running as root, and there is no '{run_as}' user to run PostgreSQL as") from None
    directory = Path(tempfile.mkdtemp(prefix="kundesenter-postgres-"))
    cluster = Cluster(bindir, directory, _free_port(), secrets.token_hex(16), run_as)
    try:
        cluster.socket_dir.mkdir()
        password_file = directory / "password"
        password_file.write_text(cluster.password + "\n")
        if run_as:
            for path in (directory, cluster.socket_dir, password_file):
                os.chown(path, server_user.pw_uid, server_user.pw_gid)
        result = cluster.run(
            "initdb", "-D", str(cluster.data), "-U", SUPERUSER, f"--pwfile={password_file}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        if result.returncode != 0:
            raise PostgresError(f"initdb failed:\n{result.stdout}{result.stderr}")
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
