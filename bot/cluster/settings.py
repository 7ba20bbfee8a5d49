"""What `cluster.yml` says, as typed settings; the tests and the benchmark change them with `dataclasses.replace`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Union

import yaml

FILE = Path(__file__).with_name("cluster.yml")
FREE = 0  # "free" in the file: any free port, chosen at start

Port = Union[int, str]


def _port(value: Port) -> int:
    return FREE if value == "free" else int(value)


@dataclass(frozen=True)
class NginxSettings:
    port: int
    next_upstream_tries: int
    connect_timeout_seconds: float
    read_timeout_seconds: float
    fail_timeout_seconds: float


@dataclass(frozen=True)
class ClusterSettings:
    rasa_processes: int
    rasa_port: int  # first port; FREE picks one per process
    ticket_lock_lifetime_seconds: int
    actions_port: int
    backend_port: int
    desk_port: int
    nginx: NginxSettings
    postgres_port: int
    tracker_database: str
    desk_database: str
    backend_database: str
    redis_port: int
    redis_lock_db: int

    def with_free_ports(self) -> "ClusterSettings":
        """Every port chosen at start, for running beside other servers (tests, benchmarks)."""
        return replace(
            self, rasa_port=FREE, actions_port=FREE, backend_port=FREE, desk_port=FREE, postgres_port=FREE,
            redis_port=FREE, nginx=replace(self.nginx, port=FREE),
        )  # fmt: skip


def load(path: Path = FILE) -> ClusterSettings:
    raw: Dict[str, Any] = yaml.safe_load(path.read_text())
    nginx = raw["nginx"]
    return ClusterSettings(
        rasa_processes=int(raw["rasa"]["processes"]),
        rasa_port=_port(raw["rasa"]["ports"]),
        ticket_lock_lifetime_seconds=int(raw["rasa"]["ticket_lock_lifetime_seconds"]),
        actions_port=_port(raw["actions"]["port"]),
        backend_port=_port(raw["backend"]["port"]),
        desk_port=_port(raw["desk"]["port"]),
        nginx=NginxSettings(
            port=_port(nginx["port"]),
            next_upstream_tries=int(nginx["next_upstream_tries"]),
            connect_timeout_seconds=float(nginx["connect_timeout_seconds"]),
            read_timeout_seconds=float(nginx["read_timeout_seconds"]),
            fail_timeout_seconds=float(nginx["fail_timeout_seconds"]),
        ),
        postgres_port=_port(raw["postgres"]["port"]),
        tracker_database=raw["postgres"]["database"],
        desk_database=raw["postgres"]["desk_database"],
        backend_database=raw["postgres"]["backend_database"],
        redis_port=_port(raw["redis"]["port"]),
        redis_lock_db=int(raw["redis"]["lock_db"]),
    )
