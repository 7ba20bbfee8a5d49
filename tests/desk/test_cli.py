"""`kundesenter agents add|disable|enable|reset-password`: desk users; the first one must be a supervisor."""

import getpass

import pytest

from bot.desk import Accounts
from bot.desk.cli import COMMANDS, add_user_command
from tests.desk.conftest import PASSWORD


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    return f"sqlite:///{tmp_path / 'desk.db'}"


def add(database, username, role):
    return add_user_command(
        ["--username", username, "--first-name", username.capitalize(), "--role", role, "--database-url", database]
    )


def agents_command(action, argv):
    return COMMANDS[action](argv)


def test_the_first_user_must_be_a_supervisor(database, capsys):
    assert add(database, "ola", "agent") == 1
    assert "the first user must be a supervisor" in capsys.readouterr().err
    assert add(database, "kari", "supervisor") == 0
    assert add(database, "ola", "agent") == 0
    assert "added agent ola (Ola)" in capsys.readouterr().out
    assert [user.role for user in Accounts(database).list_users()] == ["supervisor", "agent"]


def test_the_password_is_typed_twice_and_must_match(database, monkeypatch, capsys):
    monkeypatch.delenv("DESK_PASSWORD")
    typed = iter([PASSWORD, "something else entirely", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    assert add(database, "kari", "supervisor") == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert add(database, "kari", "supervisor") == 0


def test_a_short_password_is_refused_with_the_reason(database, monkeypatch, capsys):
    monkeypatch.setenv("DESK_PASSWORD", "short")
    assert add(database, "kari", "supervisor") == 1
    assert "at least 12 characters" in capsys.readouterr().err


def test_disable_enable_and_reset_password_end_the_users_sessions(database, monkeypatch, capsys):
    assert add(database, "kari", "supervisor") == 0
    accounts = Accounts(database)
    session = accounts.authenticate("kari", PASSWORD, "127.0.0.1")

    assert agents_command("disable", ["kari", "--database-url", database]) == 0
    assert accounts.session_user(session.token) is None
    assert accounts.user("kari").disabled
    assert agents_command("enable", ["kari", "--database-url", database]) == 0
    session = accounts.authenticate("kari", PASSWORD, "127.0.0.1")

    typed = iter(["et nytt langt passord", "et annet langt passord"])
    monkeypatch.delenv("DESK_PASSWORD")
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    assert agents_command("reset-password", ["kari", "--database-url", database]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert accounts.session_user(session.token) is not None  # nothing changed

    monkeypatch.setenv("DESK_PASSWORD", "et nytt langt passord")
    assert agents_command("reset-password", ["kari", "--database-url", database]) == 0
    assert accounts.session_user(session.token) is None
    assert accounts.authenticate("kari", "et nytt langt passord", "127.0.0.1").user.username == "kari"
    assert agents_command("disable", ["nobody", "--database-url", database]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err
