"""A clock the test moves forward, for stores that take a `clock` callable."""

from __future__ import annotations

import datetime as dt

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)


class Clock:
    """Stands still until told: `clock.advance(minutes=5)`."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now
