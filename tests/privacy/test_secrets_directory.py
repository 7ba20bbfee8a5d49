"""Generated secrets live outside the project folder, and an old `var/secrets/` is moved there once."""

from __future__ import annotations

import stat
from pathlib import Path

from bot import project, secrets


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_directory_is_in_the_users_configuration_not_in_the_project(monkeypatch, tmp_path):
    monkeypatch.delenv(secrets.DIRECTORY_VARIABLE, raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert secrets.default_directory() == tmp_path / "home" / ".config" / "kundesenter" / "secrets"

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert secrets.default_directory() == tmp_path / "xdg" / "kundesenter" / "secrets"

    monkeypatch.setenv(secrets.DIRECTORY_VARIABLE, str(tmp_path / "vault"))
    assert secrets.default_directory() == tmp_path / "vault"
    assert project.ROOT not in secrets.default_directory().parents


def test_a_secret_is_generated_once_readable_only_by_its_owner(tmp_path):
    directory = tmp_path / "secrets"
    first = secrets.secret(secrets.RASA_TOKEN, directory)
    assert len(first) == 64 and secrets.secret(secrets.RASA_TOKEN, directory) == first
    assert mode(directory / secrets.RASA_TOKEN) == 0o600 and mode(directory) == 0o700


def test_the_environment_wins_over_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv(secrets.variable(secrets.WEBCHAT_SECRET), "from-the-deployment")
    assert secrets.secret(secrets.WEBCHAT_SECRET, tmp_path) == "from-the-deployment"
    assert not (tmp_path / secrets.WEBCHAT_SECRET).exists()


def test_secrets_in_the_old_project_folder_are_moved_once_keeping_newer_ones(tmp_path):
    legacy, directory = tmp_path / "project" / "var" / "secrets", tmp_path / "config" / "secrets"
    legacy.mkdir(parents=True)
    (legacy / "rasa_token").write_text("old-rasa-token")
    (legacy / "webchat_secret").write_text("old-webchat-secret")
    directory.mkdir(parents=True)
    (directory / "webchat_secret").write_text("already-moved")

    secrets.migrate(legacy, directory)

    assert not legacy.exists()
    assert (directory / "rasa_token").read_text() == "old-rasa-token" and mode(directory / "rasa_token") == 0o600
    assert (directory / "webchat_secret").read_text() == "already-moved"
    secrets.migrate(legacy, directory)  # nothing left to move: no error
