"""The production topology on one machine, started and stopped as one unit.

N Rasa servers behind nginx share PostgreSQL (conversations: Rasa's SQL tracker
store) and Redis (Rasa's lock store, one process per conversation at a time);
the action server, the reference back-end and the desk run once each. Every
server listens on 127.0.0.1; the databases live in `workdir` (var/cluster by
default), so a restart keeps the conversations. `kundesenter cluster`, the fault
tests (tests/cluster) and the load benchmark all start it through `start()`.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from bot import private_files, project, secrets, services
from bot.cluster import nginx, postgres, redis
from bot.cluster.settings import FREE, ClusterSettings, load

ENDPOINTS = project.ROOT / "deploy" / "endpoints.yml"
POSTGRES_PASSWORD = "postgres_password"
REDIS_PASSWORD = "redis_password"


@dataclass
class Cluster:
    """The running topology; `stop()` (or leaving the `with` block) stops every process it started."""

    servers: services.Services  # back-end, actions, desk, rasa-0 … rasa-(N-1), redis, nginx
    database: postgres.Cluster
    settings: ClusterSettings
    rasa_ports: List[int]
    redis_port: int
    redis_password: str
    nginx_prefix: Path

    @property
    def url(self) -> str:
        return self.servers.rasa_url  # nginx: the desk and the customers reach Rasa only through it

    @property
    def rasa_url(self) -> str:
        return self.url

    @property
    def rest_url(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    @property
    def rasa_token(self) -> str:
        return self.servers.rasa_token

    @property
    def desk_url(self) -> str:
        return self.servers.desk_url

    @property
    def backend_url(self) -> str:
        return self.servers.backend_url

    @property
    def tracker_database_url(self) -> str:
        return self.database.url(self.settings.tracker_database)

    @property
    def access_log(self) -> Path:
        """nginx's log of every request with the Rasa process(es) it went to."""
        return nginx.access_log(self.nginx_prefix)

    def rasa_pids(self) -> List[int]:
        return [self.servers.processes[_rasa(index)].pid for index in range(len(self.rasa_ports))]

    def kill_rasa(self, index: int) -> None:
        """SIGKILL: the process dies at once, in the middle of whatever it was doing."""
        process = self.servers.processes[_rasa(index)]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def restart_postgres(self) -> None:
        self.database.restart()

    def restart_redis(self) -> None:
        self.servers.stop("redis")
        services.respawn(self.servers, "redis")
        redis.wait_until_ready(self.redis_port, self.redis_password)

    def wait_until_ready(self, timeout: float = 300) -> None:
        """Block until every server answers through its own port and Rasa through nginx, or raise with the reason."""
        redis.wait_until_ready(self.redis_port, self.redis_password, timeout)
        processes = self.servers.processes
        services.wait_for(f"{self.backend_url}/health", "reference back-end", processes["backend"], timeout)
        services.wait_for(
            f"http://127.0.0.1:{self.servers.ports.actions}/health", "action server", processes["actions"], timeout
        )
        services.wait_for(f"{self.desk_url}/health", "desk", processes["desk"], timeout)
        for index in range(len(self.rasa_ports)):
            self._wait_for_rasa(index, timeout)
        services.wait_for(f"{self.url}/status?token={self.rasa_token}", "nginx", processes["nginx"], timeout)

    def _wait_for_rasa(self, index: int, timeout: float) -> None:
        url = f"http://127.0.0.1:{self.rasa_ports[index]}/status?token={self.rasa_token}"
        services.wait_for(url, f"Rasa server {index}", self.servers.processes[_rasa(index)], timeout)

    def stop(self) -> None:
        try:
            self.servers.stop()
        finally:
            self.database.stop()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _rasa(index: int) -> str:
    return f"rasa-{index}"


def _port(port: int) -> int:
    return postgres.free_port() if port == FREE else port


def start(
    model: Path,
    settings: Optional[ClusterSettings] = None,
    workdir: Optional[Path] = None,
    log_dir: Optional[Path] = None,
) -> Cluster:
    """Start PostgreSQL (initdb the first time), Redis, the servers and nginx; returns without waiting for Rasa.

    PostgreSQL is up when this returns (its databases are created here); call
    `wait_until_ready()` before talking to the cluster.
    """
    settings = settings or load()
    if workdir is None:
        # var/ is ours alone (0700), but as root PostgreSQL runs as its own user and must pass through it.
        private_files.directory(project.VAR, passable=postgres.server_user() is not None)
        workdir = project.VAR / "cluster"
    workdir.mkdir(parents=True, exist_ok=True)
    secret_dir = workdir / "secrets"

    bindir = postgres.server_bindir()
    if bindir is None:
        raise postgres.PostgresError("PostgreSQL is not installed: scripts/install-system-packages.sh cluster-packages.txt")
    database = postgres.Cluster(
        bindir, workdir / "postgres", _port(settings.postgres_port), secrets.secret(POSTGRES_PASSWORD, secret_dir),
        postgres.server_user(), settings=postgres.LOOPBACK_ONLY,
    )  # fmt: skip
    database.initialise()
    database.stop()  # a server left running by a run that was killed
    database.start()
    try:
        return _start_servers(model, settings, workdir, log_dir or workdir / "logs", database)
    except BaseException:
        database.stop()
        raise


def _start_servers(
    model: Path, settings: ClusterSettings, workdir: Path, log_dir: Path, database: postgres.Cluster
) -> Cluster:
    log_dir.mkdir(parents=True, exist_ok=True)
    redis_port, redis_password = _port(settings.redis_port), secrets.secret(REDIS_PASSWORD, workdir / "secrets")
    rasa_ports = [
        _port(FREE if settings.rasa_port == FREE else settings.rasa_port + index)
        for index in range(settings.rasa_processes)
    ]
    ports = services.Ports(
        _port(settings.nginx.port), _port(settings.actions_port), _port(settings.backend_port), _port(settings.desk_port)
    )
    servers = services.Services(
        ports,
        Path(os.devnull),  # no SQLite trackers: they are in PostgreSQL (TRACKER_DATABASE_URL for the desk)
        database.ensure_database(settings.backend_database),
        database.ensure_database(settings.desk_database),
        log_dir=log_dir,
    )
    servers.env = {
        **services._environment(servers),
        **_store_environment(database, settings, redis_port, redis_password),
        "TICKET_LOCK_LIFETIME": str(settings.ticket_lock_lifetime_seconds),
    }
    single = services.commands(servers, model)
    nginx_prefix = workdir / "nginx"
    servers.commands = {
        "redis": redis.command(redis.write_config(workdir / "redis", redis_port, redis_password)),
        "backend": single["backend"],
        "actions": single["actions"],
        "desk": single["desk"],
        **{_rasa(i): _rasa_command(single["rasa"], port) for i, port in enumerate(rasa_ports)},
        "nginx": nginx.command(nginx_prefix, nginx.write_config(nginx_prefix, ports.rasa, rasa_ports, settings.nginx)),
    }
    cluster = Cluster(servers, database, settings, rasa_ports, redis_port, redis_password, nginx_prefix)
    try:
        for name in servers.commands:
            services.respawn(servers, name)
    except BaseException:
        servers.stop()
        raise
    return cluster


def _store_environment(
    database: postgres.Cluster, settings: ClusterSettings, redis_port: int, redis_password: str
) -> Dict[str, str]:
    """The variables deploy/endpoints.yml reads, and the desk's way to the same trackers."""
    return {
        "TRACKER_DATABASE_URL": database.ensure_database(settings.tracker_database),
        "TRACKER_STORE_HOST": "127.0.0.1",
        "TRACKER_STORE_PORT": str(database.port),
        "TRACKER_STORE_DB": settings.tracker_database,
        "TRACKER_STORE_USER": postgres.SUPERUSER,
        "TRACKER_STORE_PASSWORD": database.password,
        "LOCK_STORE_HOST": "127.0.0.1",
        "LOCK_STORE_PORT": str(redis_port),
        "LOCK_STORE_DB": str(settings.redis_lock_db),
        "LOCK_STORE_PASSWORD": redis_password,
        "WEBCHAT_MESSAGE_QUEUE": f"redis://:{redis_password}@127.0.0.1:{redis_port}/{settings.redis_lock_db}",
        # Behind nginx, Sanic takes the client's address from the X-Forwarded-For nginx appends, so the
        # channels' per-address rate limits (bot/channels/rate_limit.py) see customers, not nginx.
        "SANIC_PROXIES_COUNT": "1",
    }


def _rasa_command(single: List[str], port: int) -> List[str]:
    """`kundesenter run`'s Rasa command with this process's port, on 127.0.0.1 only, and the topology's endpoints."""
    command = list(single)
    command[command.index("--port") + 1] = str(port)
    command[command.index("--endpoints") + 1] = str(ENDPOINTS)
    return [*command, "--interface", "127.0.0.1"]
