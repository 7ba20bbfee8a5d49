"""The agent desk's log-in settings from desk.yml, so password cost, session lengths and limits are deployment choices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.channels.settings import Rate
from bot.desk.passwords import PasswordPolicy

DEFAULT_PATH = Path(__file__).with_name("desk.yml")


@dataclass(frozen=True)
class LoginLimit:
    window: dt.timedelta
    lockout: dt.timedelta
    failures_per_username: int
    failures_per_client_ip: int


@dataclass(frozen=True)
class SessionLimit:
    """How fast one client address may start web chat conversations."""

    rate: Rate
    max_tracked_clients: int


@dataclass(frozen=True)
class Settings:
    password: PasswordPolicy
    session_lifetime: dt.timedelta
    session_idle: dt.timedelta
    login_limit: LoginLimit
    cookie_name: str
    cookie_secure: bool
    timezone: ZoneInfo
    rasa_timeout: dt.timedelta
    new_chat_sessions: SessionLimit


def load(path: Path = DEFAULT_PATH) -> Settings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    password, session, limit, cookie = raw["password"], raw["session"], raw["login_limit"], raw["cookie"]
    sessions = raw["new_chat_sessions"]
    return Settings(
        password=PasswordPolicy(
            min_length=password["min_length"], n=password["scrypt_n"], r=password["scrypt_r"], p=password["scrypt_p"]
        ),
        session_lifetime=dt.timedelta(hours=session["lifetime_hours"]),
        session_idle=dt.timedelta(minutes=session["idle_minutes"]),
        login_limit=LoginLimit(
            window=dt.timedelta(minutes=limit["window_minutes"]),
            lockout=dt.timedelta(minutes=limit["lockout_minutes"]),
            failures_per_username=limit["failures_per_username"],
            failures_per_client_ip=limit["failures_per_client_ip"],
        ),
        cookie_name=cookie["name"],
        cookie_secure=bool(cookie["secure"]),
        timezone=ZoneInfo(raw["timezone"]),
        rasa_timeout=dt.timedelta(seconds=raw["rasa_timeout_seconds"]),
        new_chat_sessions=SessionLimit(
            rate=Rate(per_second=sessions["per_minute"] / 60, burst=float(sessions["burst"])),
            max_tracked_clients=sessions["max_tracked_clients"],
        ),
    )
