"""The customer's answer to the survey after a conversation: satisfaction (1–5) and how likely to recommend (0–10).

One answer per closed hand-off, enforced by the table's primary key: a second answer
is refused (AlreadyAnswered), so nobody can pile answers into the KPIs by posting again.
Like the other stores, every method is synchronous with its own short transaction
(the desk calls them in an executor) and times are timezone-aware UTC from an
injectable clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bot import project
from bot.desk.survey_tables import create, surveys
from bot.handoff import settings as handoff_settings
from bot.sql import connect

Clock = Callable[[], dt.datetime]

SATISFACTION = range(1, 6)
NPS = range(11)
MAX_SESSION_ID = 255


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class InvalidSurvey(ValueError):
    """Refused values, field by field, so the page can say what is wrong (`400 {"error", "fields"}`)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid survey: " + "; ".join(f"{name} {reason}" for name, reason in fields.items()))
        self.fields = dict(fields)


class AlreadyAnswered(Exception):
    """This hand-off has its answer already (`409` at the desk)."""


@dataclass(frozen=True)
class Survey:
    handoff_id: int | None  # None only for answers stored before answers belonged to a hand-off
    session_id: str
    language: str
    satisfaction: int
    nps: int
    answered_at: dt.datetime


class SurveyStore:
    """Survey answers on one database (SQLite file or PostgreSQL, by URL), normally the desk's."""

    def __init__(
        self,
        database_url: str | None = None,
        clock: Clock = utc_now,
        languages: Sequence[str] | None = None,
    ) -> None:
        self.engine = connect(database_url or project.desk_database_url())
        self.clock = clock  # replaceable so tests can let days pass
        # The languages the desk serves are those of the hand-off queue (handoff.yml).
        self.languages = tuple(languages) if languages is not None else handoff_settings.load().languages
        create(self.engine)

    def record(self, handoff_id: int, session_id: str, language: str, satisfaction: int, nps: int) -> Survey:
        """Store the answer about this closed hand-off; InvalidSurvey on bad values, AlreadyAnswered on a second one.

        The insert alone decides: of two answers arriving at once, on SQLite or
        PostgreSQL, in one process or several, the primary key lets exactly one in.
        """
        self.validate(session_id, language, satisfaction, nps)
        answer = Survey(handoff_id, session_id, language, satisfaction, nps, self.clock())
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(surveys).values(dataclasses.asdict(answer)))
        except IntegrityError:
            raise AlreadyAnswered(f"hand-off {handoff_id} has its survey answer already") from None
        return answer

    def answers(self, since: dt.datetime, until: dt.datetime) -> list[Survey]:
        """Answers given in [since, until), oldest first."""
        query = (
            select(surveys)
            .where(surveys.c.answered_at >= since, surveys.c.answered_at < until)
            .order_by(surveys.c.answered_at, surveys.c.session_id, surveys.c.handoff_id)
        )
        with self.engine.connect() as connection:
            return [Survey(**row._mapping) for row in connection.execute(query)]

    def validate(self, session_id: Any, language: Any, satisfaction: Any, nps: Any) -> None:
        """InvalidSurvey, field by field, when a value is not an answer; the desk asks before it looks anything up."""
        fields: dict[str, str] = {}
        if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID:
            fields["session_id"] = f"must be text of 1 to {MAX_SESSION_ID} characters"
        if not isinstance(language, str) or language not in self.languages:
            fields["language"] = f"must be one of {', '.join(self.languages)}"
        for name, value, allowed in (("satisfaction", satisfaction, SATISFACTION), ("nps", nps, NPS)):
            # JSON true is a Python bool, itself an int: it must not pass as 1.
            if type(value) is not int or value not in allowed:
                fields[name] = f"must be a whole number from {allowed.start} to {allowed.stop - 1}"
        if fields:
            raise InvalidSurvey(fields)
