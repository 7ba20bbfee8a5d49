"""Users log in, stay logged in for a while, and guessing is made slow (on SQLite and PostgreSQL)."""

import time

import pytest
from sqlalchemy import select

from bot.desk import AccountError, LoginRefused
from bot.desk import tables as t
from bot.desk.passwords import PasswordPolicy
from tests.desk.conftest import PASSWORD

OFFICE = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


def refusal(accounts, username, password, client_ip=OFFICE) -> str:
    with pytest.raises(LoginRefused) as refused:
        accounts.authenticate(username, password, client_ip)
    return refused.value.reason


def test_supervisor_logs_in_and_the_token_names_her_until_she_logs_out(accounts, kari):
    session = accounts.authenticate("Kari", PASSWORD, OFFICE)
    assert session.user == kari
    assert accounts.session_user(session.token) == kari
    accounts.logout(session.token)
    assert accounts.session_user(session.token) is None


def test_only_a_hash_of_the_token_is_stored(accounts, kari):
    session = accounts.authenticate("kari", PASSWORD, OFFICE)
    with accounts.engine.connect() as connection:
        stored = connection.execute(select(t.sessions.c.token_hash)).scalars().all()
    assert len(stored) == 1 and session.token not in stored[0] and len(stored[0]) == 64


def test_a_session_ends_after_its_lifetime_even_when_used(accounts, kari, clock):
    session = accounts.authenticate("kari", PASSWORD, OFFICE)
    for _ in range(23):  # busy all day: used every half hour
        clock.advance(minutes=30)
        assert accounts.session_user(session.token) == kari
    clock.advance(minutes=30)  # twelve hours after logging in
    assert accounts.session_user(session.token) is None


def test_an_unattended_session_ends_after_the_idle_timeout(accounts, kari, clock):
    session = accounts.authenticate("kari", PASSWORD, OFFICE)
    clock.advance(minutes=59)
    assert accounts.session_user(session.token) == kari
    clock.advance(minutes=60)
    assert accounts.session_user(session.token) is None


def test_unknown_user_and_wrong_password_get_the_same_answer_after_similar_work(accounts, kari):
    def timed(username, client_ip):
        start = time.perf_counter()
        reason = refusal(accounts, username, "not the password", client_ip)
        return reason, time.perf_counter() - start

    timed("nobody", "192.0.2.1")  # the decoy hash for unknown usernames is made once, at the first
    (wrong, wrong_time), (unknown, unknown_time) = timed("kari", "192.0.2.2"), timed("nobody", "192.0.2.3")
    assert wrong == unknown == "wrong username or password"
    assert 0.3 < unknown_time / wrong_time < 3


def test_five_wrong_passwords_lock_the_username_for_fifteen_minutes(accounts, kari, clock):
    addresses = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"]  # spread: no address lock
    reasons = [refusal(accounts, "kari", "guess number one", address) for address in addresses]
    assert reasons[:4] == ["wrong username or password"] * 4
    assert reasons[4] == "too many attempts, try again in 15 minutes"
    clock.advance(minutes=6)
    assert refusal(accounts, "kari", PASSWORD, ELSEWHERE) == "too many attempts, try again in 9 minutes"
    clock.advance(minutes=9)
    assert accounts.authenticate("kari", PASSWORD, ELSEWHERE).user == kari


def test_an_unknown_username_locks_the_same_way_so_locks_reveal_nothing(accounts, kari):
    for address in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]:
        refusal(accounts, "nobody", "guess number one", address)
    assert refusal(accounts, "nobody", "guess number one", ELSEWHERE).startswith("too many attempts")


def test_a_successful_log_in_forgets_earlier_mistakes(accounts, kari):
    for address in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]:
        refusal(accounts, "kari", "typo in password", address)
    accounts.authenticate("kari", PASSWORD, ELSEWHERE)
    assert refusal(accounts, "kari", "typo in password", ELSEWHERE) == "wrong username or password"


def test_many_usernames_tried_from_one_address_lock_that_address_only(accounts, kari, clock):
    accounts.create_user("ola", "Ola", "agent", PASSWORD)
    for username in ["anna", "erik", "ola"]:
        refusal(accounts, username, "guess number one", OFFICE)
    assert refusal(accounts, "kari", PASSWORD, OFFICE).startswith("too many attempts")
    assert accounts.authenticate("kari", PASSWORD, ELSEWHERE).user == kari
    clock.advance(minutes=15)
    assert accounts.authenticate("ola", PASSWORD, OFFICE).user.username == "ola"


def test_the_first_user_must_be_a_supervisor(accounts):
    with pytest.raises(AccountError, match="first user must be a supervisor"):
        accounts.create_user("ola", "Ola", "agent", PASSWORD)
    accounts.create_user("kari", "Kari", "supervisor", PASSWORD)
    assert accounts.create_user("ola", "Ola", "agent", PASSWORD).role == "agent"
    assert [user.username for user in accounts.list_users()] == ["kari", "ola"]


def test_a_username_is_taken_once(accounts, kari):
    with pytest.raises(AccountError, match="'kari' is taken"):
        accounts.create_user("KARI", "Kari", "agent", PASSWORD)


def test_a_new_password_ends_every_session_and_the_old_password_stops_working(accounts, kari):
    session = accounts.authenticate("kari", PASSWORD, OFFICE)
    accounts.set_password("kari", "another long secret")
    assert accounts.session_user(session.token) is None
    assert refusal(accounts, "kari", PASSWORD) == "wrong username or password"
    assert accounts.authenticate("kari", "another long secret", OFFICE).user == kari


def test_a_disabled_user_is_logged_out_and_cannot_log_in(accounts, kari):
    accounts.create_user("ola", "Ola", "agent", PASSWORD)
    session = accounts.authenticate("ola", PASSWORD, OFFICE)
    accounts.set_disabled("ola", True)
    assert accounts.session_user(session.token) is None
    assert refusal(accounts, "ola", PASSWORD) == "this account is disabled: ask a supervisor"
    assert refusal(accounts, "ola", "not the password") == "wrong username or password"


def test_a_hash_made_with_an_older_cost_is_renewed_at_log_in(accounts, kari):
    old_cost = PasswordPolicy(n=2**12).hash(PASSWORD)
    with accounts.engine.begin() as connection:
        connection.execute(t.users.update().values(password_hash=old_cost))
    accounts.authenticate("kari", PASSWORD, OFFICE)
    with accounts.engine.connect() as connection:
        renewed = connection.execute(select(t.users.c.password_hash)).scalar_one()
    assert renewed.startswith("scrypt$16384$8$1$")
