"""An empty desk account store per test, on SQLite and on PostgreSQL (fixtures `new_database`, `database_kind`
in tests/conftest.py), with a clock the test moves forward and small limits that keep the tests quick."""

from __future__ import annotations

import dataclasses
from typing import Iterator

import pytest

from bot.desk import Accounts, tables
from bot.desk.settings import Settings, load

PASSWORD = "correct horse battery"

@pytest.fixture
def settings() -> Settings:
    """desk.yml as shipped, except that three failures from one address lock it (instead of twenty)."""
    shipped = load()
    return dataclasses.replace(shipped, login_limit=dataclasses.replace(shipped.login_limit, failures_per_client_ip=3))


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
