"""An empty desk account store per test, on SQLite and on PostgreSQL (fixtures `new_database`, `database_kind`
in tests/conftest.py), with a clock the test moves forward and small limits that keep the tests quick; and the
real desk application served over HTTP on such a store (`serve_desk`)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
from typing import Callable, Iterator, List

import pytest
from aiohttp import web

from bot.desk import Accounts, tables
from bot.desk.accounts import utc_now
from bot.desk.app import DeskConfig, create_app
from bot.desk.settings import Settings, load
from bot.handoff.store import HandoffStore
from tests.support.browser import browser, windows  # noqa: F401 (fixtures for the browser tests)

PASSWORD = "correct horse battery"

@pytest.fixture
def settings(tmp_path) -> Settings:
    """desk.yml as shipped, except that three failures from one address lock it (instead of twenty), and the
    canned replies are the test's own file (copied from the shipped ones when first read)."""
    shipped = load()
    return dataclasses.replace(
        shipped,
        login_limit=dataclasses.replace(shipped.login_limit, failures_per_client_ip=3),
        canned_replies=tmp_path / "canned_replies.yml",
    )


@pytest.fixture(scope="session")
def desk_database(new_database) -> str:
    """One database per kind for the whole session: creating a PostgreSQL database per test costs half a second."""
    return new_database("desk")


@pytest.fixture
def accounts(desk_database, settings, clock) -> Iterator[Accounts]:
    """An empty store: the tables are emptied before each test."""
    store = Accounts(desk_database, settings=settings, clock=clock)
    with store.engine.begin() as connection:
        for table in tables.metadata.sorted_tables:
            connection.execute(table.delete())
    yield store
    store.engine.dispose()


@pytest.fixture
def kari(accounts):
    """The supervisor every store starts with."""
    return accounts.create_user("kari", "Kari", "supervisor", PASSWORD)


SERVICE_TOKEN = "service-token-for-tests"


@dataclasses.dataclass
class ServedDesk:
    """The real desk application (bot.desk.app.create_app) answering HTTP on 127.0.0.1."""

    url: str
    accounts: Accounts
    queue: HandoffStore


@pytest.fixture
def serve_desk(tmp_path) -> Iterator[Callable[..., ServedDesk]]:
    """`serve_desk(database_url, settings, clock)`: the desk on a free port, in a thread with its own event loop.

    No Rasa behind it (its URL refuses connections): enough for logging in and the API's checks, and
    no model to load. The server stops when the test ends.
    """
    stops: List[Callable[[], None]] = []

    def serve(database_url: str, settings: Settings, clock: Callable[[], dt.datetime] = utc_now) -> ServedDesk:
        config = DeskConfig(
            rasa_url="http://127.0.0.1:9", socket_url="http://127.0.0.1:9", database_url=database_url,
            tracker_database_url=f"sqlite:///{tmp_path / 'tracker.db'}", rasa_token="unused",
            webchat_secret="webchat-secret-for-tests", service_token=SERVICE_TOKEN,
        )  # fmt: skip
        app = create_app(config, settings, clock)
        # The loop runs in its own thread from the start: the test's thread may already run one
        # (playwright's sync API does), and a thread can run only one loop at a time.
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        runner = web.AppRunner(app)

        async def start() -> int:
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            return runner.addresses[0][1]

        port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)

        def stop() -> None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            loop.close()

        stops.append(stop)
        shared = app["desk"]
        return ServedDesk(f"http://127.0.0.1:{port}", shared.accounts, shared.queue)

    yield serve
    for stop in reversed(stops):
        stop()
