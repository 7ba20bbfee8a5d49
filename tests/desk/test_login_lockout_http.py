"""The log-in limit on the real desk over HTTP: it cannot be raced, and behind a proxy it counts per client.

The desk runs on SQLite and on PostgreSQL (fixture `accounts`): the failures are counted in the
database, so what holds for one desk process holds for several sharing it.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from ipaddress import ip_network
from typing import Dict, Optional

import requests
from sqlalchemy import func, select

from bot.desk import tables
from tests.desk.conftest import PASSWORD

PARALLEL = 12


def limits(settings, per_username: int = 5, per_client_ip: int = 3, trusted_proxies=()):
    limit = dataclasses.replace(
        settings.login_limit, failures_per_username=per_username, failures_per_client_ip=per_client_ip
    )
    return dataclasses.replace(settings, login_limit=limit, trusted_proxies=tuple(map(ip_network, trusted_proxies)))


def log_in(url: str, username: str, password: str, headers: Optional[Dict[str, str]] = None) -> requests.Response:
    return requests.post(
        f"{url}/login", json={"username": username, "password": password}, headers=headers or {}, timeout=60
    )


def failures_recorded(accounts, username: str) -> int:
    with accounts.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(tables.login_failures).where(tables.login_failures.c.username == username)
        ).scalar()


def test_parallel_wrong_passwords_are_checked_at_most_up_to_the_limit_then_even_the_right_one_waits(
    accounts, kari, settings, clock, serve_desk
):
    """Two desk servers on one database, as in a scaled deployment: the tries alternate between them."""
    settings = limits(settings, per_username=5, per_client_ip=100)
    database_url = accounts.engine.url.render_as_string(hide_password=False)
    desks = [serve_desk(database_url, settings, clock), serve_desk(database_url, settings, clock)]
    desk = desks[0]
    start = threading.Barrier(PARALLEL)

    def guess(number: int) -> int:
        start.wait()
        return log_in(desks[number % 2].url, "kari", f"wrong guess {number}").status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(guess, range(PARALLEL)))

    # Every password checked and found wrong is recorded; a try refused as locked is not checked.
    assert failures_recorded(accounts, "kari") == 5, answers
    assert set(answers) <= {401, 429} and answers.count(429) >= PARALLEL - 5, answers
    refused = log_in(desk.url, "kari", PASSWORD)
    assert refused.status_code == 429 and refused.json()["code"] == "locked"
    clock.advance(minutes=settings.login_limit.lockout.total_seconds() / 60)
    assert log_in(desk.url, "kari", PASSWORD).status_code == 200


def test_forwarded_addresses_from_a_client_that_is_no_proxy_are_ignored(accounts, kari, settings, clock, serve_desk):
    """A direct client that writes X-Forwarded-For / X-Real-IP still counts against its own address."""
    desk = serve_desk(accounts.engine.url.render_as_string(hide_password=False), limits(settings), clock)
    for number in range(3):
        forged = {"X-Forwarded-For": f"198.51.100.{number}", "X-Real-IP": f"198.51.100.{number}"}
        assert log_in(desk.url, f"nobody-{number}", "wrong", forged).status_code in (401, 429)
    fresh = {"X-Forwarded-For": "198.51.100.200", "X-Real-IP": "198.51.100.200"}
    locked = log_in(desk.url, "kari", PASSWORD, fresh)
    assert locked.status_code == 429 and locked.json()["code"] == "locked"


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_another(
    accounts, kari, settings, clock, serve_desk
):
    desk = serve_desk(
        accounts.engine.url.render_as_string(hide_password=False),
        limits(settings, trusted_proxies=["127.0.0.1/32"]),
        clock,
    )
    attacker = "203.0.113.7"
    for number in range(3):
        # The attacker writes another client's address first; the proxy appends the one it saw.
        chain = {"X-Forwarded-For": f"198.51.100.9, {attacker}"}
        assert log_in(desk.url, f"nobody-{number}", "wrong", chain).status_code in (401, 429)
    locked = log_in(desk.url, "kari", PASSWORD, {"X-Forwarded-For": attacker})
    assert locked.status_code == 429 and locked.json()["code"] == "locked"
    assert log_in(desk.url, "kari", PASSWORD, {"X-Forwarded-For": "198.51.100.9"}).status_code == 200
    assert log_in(desk.url, "kari", PASSWORD, {"X-Real-IP": "192.0.2.44"}).status_code == 200
