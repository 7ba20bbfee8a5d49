"""The agent desk's settings from desk.yml, so password cost, session lengths, limits and proxies are deployment choices.

Two lists may also come from the environment, for container images whose desk.yml
is baked in: DESK_TRUSTED_PROXIES and DESK_ALLOWED_ORIGINS (comma-separated)
replace `trusted_proxies` and `allowed_origins` when set.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Tuple, Union
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from bot import project
from bot.channels.settings import Rate
from bot.desk.passwords import PasswordPolicy

DEFAULT_PATH = Path(__file__).with_name("desk.yml")
TRUSTED_PROXIES_VARIABLE = "DESK_TRUSTED_PROXIES"
ALLOWED_ORIGINS_VARIABLE = "DESK_ALLOWED_ORIGINS"

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


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
    trusted_proxies: Tuple[Network, ...]  # peers whose X-Forwarded-For / X-Real-IP / X-Forwarded-Proto are believed
    allowed_origins: Tuple[str, ...]  # "https://desk.example.no": origins besides the desk's own that may post
    new_chat_sessions: SessionLimit
    canned_replies: Path  # the YAML file of canned replies (bot/desk/canned_replies.py)


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
        trusted_proxies=tuple(_network(entry) for entry in _listed(TRUSTED_PROXIES_VARIABLE, raw["trusted_proxies"])),
        allowed_origins=tuple(_origin(entry) for entry in _listed(ALLOWED_ORIGINS_VARIABLE, raw["allowed_origins"])),
        new_chat_sessions=SessionLimit(
            rate=Rate(per_second=sessions["per_minute"] / 60, burst=float(sessions["burst"])),
            max_tracked_clients=sessions["max_tracked_clients"],
        ),
        canned_replies=project.ROOT / raw["canned_replies"],
    )


def _listed(variable: str, configured: Optional[Iterable[str]]) -> List[str]:
    """The environment's comma-separated list when the variable is set (even empty), else desk.yml's."""
    value = os.environ.get(variable)
    entries = value.split(",") if value is not None else list(configured or [])
    return [str(entry).strip() for entry in entries if str(entry).strip()]


def _network(entry: str) -> Network:
    """An address ("10.0.0.5") or a network ("10.0.0.0/8"); a typo stops the desk instead of trusting nobody."""
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ValueError(f"trusted_proxies: {entry!r} is not an IP address or network") from None


def _origin(entry: str) -> str:
    """The origin as browsers send it in the Origin header: scheme://host[:port], lower case, nothing after."""
    parts = urlsplit(entry.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
        raise ValueError(f"allowed_origins: {entry!r} is not an origin like https://desk.example.no")
    return f"{parts.scheme}://{parts.netloc}"
