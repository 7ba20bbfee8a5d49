"""One real reference back-end per database and test session: `python -m backend` in its own process.

Every test that talks to the service runs twice, on a temporary SQLite file and
on a throwaway PostgreSQL cluster (tests/support/postgres.py), because the
back-end must behave the same on both; `-k sqlite` or `-k postgresql` picks one.
Without a PostgreSQL server installed (scripts/system-packages.txt) the
PostgreSQL runs are skipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Optional
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import requests
from sqlalchemy import create_engine

from bot import project
from bot.services import stop_groups

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_backend(database_url: str, log: Path) -> Iterator[str]:
    """Start the service as a user would, wait for /health, and stop exactly that process group afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--database-url", database_url]
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, cwd=project.ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(url, process, log)
        yield url
    finally:
        stop_groups([process], timeout=10)


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the back-end exited with code {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        time.sleep(0.1)
    raise TimeoutError(f"the back-end did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def backend_url(new_database, database_kind, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("backend") / f"backend-{database_kind}.log"
    with running_backend(new_database("backend"), log) as url:
        yield url


class Api:
    """The service over HTTP, as an agent's tool or the bot's adapter would call it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.url + path, params=params, timeout=10)

    def post(self, path: str, body: Any, key: Optional[str] = "new", **headers: str) -> requests.Response:
        """`key="new"` sends a fresh Idempotency-Key; None sends none."""
        if key is not None:
            headers["Idempotency-Key"] = uuid.uuid4().hex if key == "new" else key
        return requests.post(self.url + path, json=body, headers=headers, timeout=10)


@pytest.fixture(scope="session")
def api(backend_url) -> Api:
    return Api(backend_url)


@pytest.fixture(scope="session")
def openapi(api) -> Dict[str, Any]:
    return api.get("/openapi.json").json()


@pytest.fixture(scope="session")
def conforms(openapi):
    """`conforms("Shipment", body)`: the body is valid against the schema of that name in the served description."""
    components = _json_schema(openapi["components"])

    def check(schema_name: str, instance: Any) -> None:
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": components}
        jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)

    return check


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schemas are JSON Schema except for `nullable`, which becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted


@pytest.fixture
def today() -> dt.date:
    """The back-end's "today": its rules run on Europe/Oslo time."""
    return dt.datetime.now(ZoneInfo("Europe/Oslo")).date()


@pytest.fixture
def address_change(today):
    """`address_change(**changes)`: a valid order moving from Oslo to Gothenburg next week, findable by its name."""

    def order(**changes: Any) -> Dict[str, Any]:
        return {
            "name": f"Kari Nordmann {uuid.uuid4().hex[:8]}",
            "old_address": {"street": "Storgata 1", "postcode": "0155", "town": "Oslo", "country": "NO"},
            "new_address": {"street": "Avenyn 12", "postcode": "411 04", "town": "Göteborg", "country": "SE"},
            "start_date": (today + dt.timedelta(days=7)).isoformat(),
            "end_date": None,
            "kind": "permanent",
            "mail_forwarding": True,
            "language": "nb",
            **changes,
        }

    return order


@pytest.fixture
def complaint():
    """`complaint(**changes)`: a valid complaint about the delivered Norwegian demo parcel."""

    def order(**changes: Any) -> Dict[str, Any]:
        return {
            "tracking_number": "CP710606451NO",
            "type": "damaged",
            "description": "Esken var knust og vasen inni var i tre deler.",
            "contact": "kari.nordmann@example.no",
            "language": "nb",
            **changes,
        }

    return order


@pytest.fixture
def start_backend(tmp_path):
    """`with start_backend(database_url) as url:` a server of the test's own, for tests that restart one."""
    return lambda database_url: running_backend(database_url, tmp_path / "backend.log")


@pytest.fixture
def execute_sql():
    """`execute_sql(database_url, statement)`: change a back-end's database behind its back, in one transaction."""

    def execute(database_url: str, statement: str) -> None:
        engine = create_engine(database_url, future=True)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    return execute


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: a back-end that is down."""
    return free_port()
