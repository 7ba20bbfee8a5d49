"""Desk users, their sessions and the log-in rate limit, on one database (SQLite file or PostgreSQL, by URL).

Every method is synchronous and runs its own short transaction: the desk is an
aiohttp application and calls them in an executor (`loop.run_in_executor`),
because scrypt deliberately takes tens of milliseconds of CPU. All times are
timezone-aware UTC from the injectable clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Callable, List, Optional

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from bot import project
from bot.desk import passwords
from bot.desk import tables as t
from bot.desk.settings import Settings, load
from bot.sql import connect

Clock = Callable[[], dt.datetime]

WRONG_CREDENTIALS = "wrong username or password"
NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)



def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class AccountError(Exception):
    """A request about accounts that cannot be done; the message is meant for the person who asked."""


class LoginRefused(AccountError):
    """`code` is what the log-in page translates: wrong, locked or disabled; `reason` is the English text."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class User:
    username: str
    first_name: str
    role: str
    created_at: dt.datetime
    disabled: bool

    def has_role(self, role: str) -> bool:
        """Supervisors may do everything agents may."""
        return t.ROLES.index(self.role) >= t.ROLES.index(role)


@dataclass(frozen=True)
class Session:
    token: str  # given to the browser once; only its hash is stored
    user: User
    expires_at: dt.datetime


class Accounts:
    """Creating users, logging in and out, and recognising a session token."""

    def __init__(
        self, database_url: Optional[str] = None, settings: Optional[Settings] = None, clock: Clock = utc_now
    ) -> None:
        self.engine = connect(database_url or project.desk_database_url())
        self.settings = settings or load()
        self.clock = clock  # replaceable so tests can let hours pass
        t.metadata.create_all(self.engine)

    # Users

    def create_user(self, username: str, first_name: str, role: str, password: str) -> User:
        """A new, enabled user. The first user must be a supervisor: someone has to be able to add the rest."""
        username = _normalise(username)
        if role not in t.ROLES:
            raise AccountError(f"unknown role {role!r}: expected one of {', '.join(t.ROLES)}")
        if not username or not first_name.strip():
            raise AccountError("username and first name must not be empty")
        values = {
            "username": username,
            "first_name": first_name.strip(),
            "role": role,
            "password_hash": self._new_hash(password),
            "created_at": self.clock(),
            "disabled": False,
        }
        try:
            with self.engine.begin() as connection:
                if role != "supervisor" and not connection.execute(select(func.count()).select_from(t.users)).scalar():
                    raise AccountError(
                        "the first user must be a supervisor (--role supervisor): nobody could add users"
                    )
                connection.execute(insert(t.users).values(values))
        except IntegrityError:
            raise AccountError(f"username {username!r} is taken") from None
        return self.user(username)

    def user(self, username: str) -> User:
        with self.engine.connect() as connection:
            row = connection.execute(select(t.users).where(t.users.c.username == _normalise(username))).first()
        if row is None:
            raise AccountError(f"no user {username!r}")
        return _user(row)

    def list_users(self) -> List[User]:
        with self.engine.connect() as connection:
            return [_user(row) for row in connection.execute(select(t.users).order_by(t.users.c.username))]

    def set_password(self, username: str, password: str) -> None:
        """New password; every session of the user ends, so a stolen one stops working too."""
        self._change(username, password_hash=self._new_hash(password))

    def set_disabled(self, username: str, disabled: bool) -> None:
        """A disabled user cannot log in and their sessions end at once."""
        self._change(username, disabled=disabled)

    def _change(self, username: str, **values: object) -> None:
        username = _normalise(username)
        with self.engine.begin() as connection:
            if not connection.execute(update(t.users).where(t.users.c.username == username).values(values)).rowcount:
                raise AccountError(f"no user {username!r}")
            connection.execute(delete(t.sessions).where(t.sessions.c.username == username))

    # Logging in and out

    def authenticate(self, username: str, password: str, client_ip: str) -> Session:
        """A new session, or LoginRefused.

        Every try is recorded as a failure before its password is checked, in the same
        transaction that counts the failures so far, and forgotten only once the password
        proved right: however many tries arrive at once, in however many desk processes,
        at most the limit of them is ever checked.

        An unknown username and a wrong password get the same answer after the same
        scrypt work, so the answer does not tell which usernames exist.
        """
        username = _normalise(username)
        now = self.clock()
        with self.engine.begin() as connection:
            self._count_alone(connection, now)
            locked = self._lock_message(connection, username, client_ip, now)
            attempt = None if locked else self._record_failure(connection, username, client_ip, now)
            row = connection.execute(select(t.users).where(t.users.c.username == username)).first()
        if locked:
            raise LoginRefused(locked, "locked")
        # scrypt runs outside any transaction: it must not hold the database for its tens of milliseconds.
        if not passwords.verify(password, row.password_hash if row else self._decoy_hash):
            with self.engine.connect() as connection:  # the recorded try stays: it was a failure
                locked = self._lock_message(connection, username, client_ip, now)
            raise LoginRefused(locked, "locked") if locked else LoginRefused(WRONG_CREDENTIALS, "wrong")
        if row.disabled:  # told only to whoever knows the password
            with self.engine.begin() as connection:
                connection.execute(delete(t.login_failures).where(t.login_failures.c.id == attempt))
            raise LoginRefused("this account is disabled: ask a supervisor", "disabled")
        new_hash = (
            self.settings.password.hash(password) if self.settings.password.needs_rehash(row.password_hash) else None
        )
        with self.engine.begin() as connection:
            connection.execute(delete(t.login_failures).where(t.login_failures.c.username == username))
            if new_hash:
                connection.execute(update(t.users).where(t.users.c.username == username).values(password_hash=new_hash))
            return self._open_session(connection, _user(row), now)

    def session_user(self, token: str) -> Optional[User]:
        """The user logged in with `token`, or None when it is unknown, expired, idle too long or the user disabled."""
        now = self.clock()
        token_hash = _token_hash(token)
        with self.engine.begin() as connection:
            row = connection.execute(
                select(t.users, t.sessions.c.expires_at, t.sessions.c.last_seen_at)
                .join(t.users, t.users.c.username == t.sessions.c.username)
                .where(t.sessions.c.token_hash == token_hash)
            ).first()
            if row is None:
                return None
            if row.disabled or now >= row.expires_at or now - row.last_seen_at >= self.settings.session_idle:
                connection.execute(delete(t.sessions).where(t.sessions.c.token_hash == token_hash))
                return None
            connection.execute(update(t.sessions).where(t.sessions.c.token_hash == token_hash).values(last_seen_at=now))
            return _user(row)

    def logout(self, token: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(t.sessions).where(t.sessions.c.token_hash == _token_hash(token)))

    # Internals

    @functools.cached_property
    def _decoy_hash(self) -> str:
        """What an unknown username's password is checked against, made with the current cost."""
        return self.settings.password.hash(secrets.token_urlsafe())

    def _new_hash(self, password: str) -> str:
        policy = self.settings.password
        return policy.hash(policy.check(password))

    def _open_session(self, connection: Connection, user: User, now: dt.datetime) -> Session:
        connection.execute(delete(t.sessions).where(t.sessions.c.expires_at <= now))
        token = secrets.token_urlsafe(32)
        expires_at = now + self.settings.session_lifetime
        connection.execute(
            insert(t.sessions).values(
                token_hash=_token_hash(token), username=user.username, created_at=now, last_seen_at=now,
                expires_at=expires_at,
            )
        )  # fmt: skip
        return Session(token, user, expires_at)

    def _count_alone(self, connection: Connection, now: dt.datetime) -> None:
        """Holds every other log-in's count back until this transaction ends, so no two tries count the same slots.

        PostgreSQL: a table lock that conflicts with itself and with writers, not with readers.
        SQLite: the prune that follows is a write, and SQLite lets one writer in at a time.
        """
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"LOCK TABLE {t.login_failures.name} IN SHARE ROW EXCLUSIVE MODE"))
        window = self.settings.login_limit.window
        connection.execute(delete(t.login_failures).where(t.login_failures.c.failed_at <= now - window))

    def _record_failure(self, connection: Connection, username: str, client_ip: str, now: dt.datetime) -> int:
        row = insert(t.login_failures).values(username=username, client_ip=client_ip, failed_at=now)
        return connection.execute(row).inserted_primary_key[0]

    def _lock_message(self, connection: Connection, username: str, client_ip: str, now: dt.datetime) -> Optional[str]:
        """Why to refuse while the username or the client IP has reached its limit of failures, else None."""
        limit = self.settings.login_limit
        window_start = now - limit.window
        locked_until = max(
            self._locked_until(connection, t.login_failures.c.username == username, window_start,
                               limit.failures_per_username),
            self._locked_until(connection, t.login_failures.c.client_ip == client_ip, window_start,
                               limit.failures_per_client_ip),
        )  # fmt: skip
        if locked_until <= now:
            return None
        minutes = math.ceil((locked_until - now).total_seconds() / 60)
        return f"too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}"

    def _locked_until(
        self, connection: Connection, who: ColumnElement, window_start: dt.datetime, limit: int
    ) -> dt.datetime:
        """The end of the lock-out started by the latest failure, if the failures in the window reached `limit`."""
        count, latest = connection.execute(
            select(func.count(), func.max(t.login_failures.c.failed_at)).where(
                who, t.login_failures.c.failed_at > window_start
            )
        ).one()
        if count < limit:
            return NEVER
        return latest + self.settings.login_limit.lockout


def _normalise(username: str) -> str:
    """Usernames are compared without case: "Kari" logs in as "kari"."""
    return username.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: Row) -> User:
    return User(row.username, row.first_name, row.role, row.created_at, row.disabled)
