"""The customer's survey after a conversation, on SQLite and PostgreSQL: one answer per closed hand-off, checked values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Column, MetaData, SmallInteger, String, Table, func, select

from bot.desk.survey_tables import surveys as surveys_table
from bot.desk.surveys import AlreadyAnswered, InvalidSurvey, Survey, SurveyStore
from bot.sql import UtcDateTime, connect
from tests.support.clock import START


@pytest.fixture
def survey_url(new_database) -> str:
    return new_database("surveys")


@pytest.fixture
def survey_store(survey_url, clock) -> Iterator[SurveyStore]:
    store = SurveyStore(survey_url, clock=clock)
    yield store
    store.engine.dispose()


def _rows(store: SurveyStore) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(surveys_table)).scalar_one()


def test_swedish_customer_answers_the_survey_and_the_answer_is_kept(survey_store, clock):
    answer = survey_store.record(1, "a" * 32, "sv", 4, 9)

    assert answer == Survey(1, "a" * 32, "sv", 4, 9, START)
    assert survey_store.answers(START, START + dt.timedelta(seconds=1)) == [answer]
    assert survey_store.answers(START.astimezone(dt.timezone(dt.timedelta(hours=1))), START + dt.timedelta(days=1)) == [
        answer
    ]


def test_a_second_answer_about_the_same_hand_off_is_refused_and_the_first_kept(survey_store, clock):
    first = survey_store.record(7, "session-1", "nb", 2, 3)
    clock.advance(minutes=3)
    with pytest.raises(AlreadyAnswered):
        survey_store.record(7, "session-1", "sv", 5, 10)
    later = survey_store.record(8, "session-1", "sv", 5, 10)  # the same conversation's next hand-off

    assert survey_store.answers(START, START + dt.timedelta(days=1)) == [first, later]


def test_answers_are_those_given_in_the_half_open_period_oldest_first(survey_store, clock):
    first = survey_store.record(1, "early", "nb", 3, 7)
    clock.advance(hours=1)
    second = survey_store.record(2, "later", "nb", 1, 0)
    clock.advance(hours=1)
    survey_store.record(3, "too-late", "nb", 5, 10)

    assert survey_store.answers(START, START + dt.timedelta(hours=2)) == [first, second]
    assert survey_store.answers(START + dt.timedelta(seconds=1), START + dt.timedelta(hours=1)) == []


def test_bounds_are_accepted(survey_store):
    survey_store.record(1, "low", "nb", 1, 0)
    survey_store.record(2, "high", "sv", 5, 10)

    assert _rows(survey_store) == 2


@pytest.mark.parametrize(
    "values, fields",
    [
        (("", "en", True, 11), {"session_id", "language", "satisfaction", "nps"}),
        (("s", "nb", 0, -1), {"satisfaction", "nps"}),
        (("s", "nb", 6, 5), {"satisfaction"}),
        (("s", "nb", "5", 5), {"satisfaction"}),
        (("s", "nb", 4.0, 5), {"satisfaction"}),
        (("s", "nb", 4, False), {"nps"}),
        (("s", "nb", 4, None), {"nps"}),
        (("s", None, 4, 5), {"language"}),
        (("s", ["nb"], 4, 5), {"language"}),
        ((None, "sv", 4, 5), {"session_id"}),
        (("x" * 256, "sv", 4, 5), {"session_id"}),
    ],
)
def test_invalid_answers_are_refused_field_by_field_and_nothing_is_stored(survey_store, values, fields):
    with pytest.raises(InvalidSurvey) as refused:
        survey_store.record(1, *values)

    assert set(refused.value.fields) == fields
    assert all(reason for reason in refused.value.fields.values())
    assert _rows(survey_store) == 0


def test_reasons_tell_the_allowed_values(survey_store):
    with pytest.raises(InvalidSurvey) as refused:
        survey_store.record(1, "s", "da", True, 11)

    assert refused.value.fields == {
        "language": "must be one of nb, sv",
        "satisfaction": "must be a whole number from 1 to 5",
        "nps": "must be a whole number from 0 to 10",
    }


def test_of_answers_about_one_hand_off_at_the_same_moment_exactly_one_is_stored(survey_url, clock):
    """Four stores (as four desk processes would have) race; the database lets one answer in."""
    stores = [SurveyStore(survey_url, clock=clock) for _ in range(4)]

    def answer(n: int) -> Survey | None:
        try:
            return stores[n].record(42, "racing", "nb", n + 1, n + 6)
        except AlreadyAnswered:
            return None

    try:
        with ThreadPoolExecutor(max_workers=len(stores)) as pool:
            answers = [a for a in pool.map(answer, range(len(stores))) if a is not None]

        assert len(answers) == 1
        assert stores[0].answers(START, START + dt.timedelta(days=1)) == answers
    finally:
        for store in stores:
            store.engine.dispose()


def test_a_table_from_before_answers_belonged_to_a_hand_off_is_upgraded_and_keeps_its_answers(survey_url, clock):
    before = MetaData()  # the table as the code before this change created it: one answer per conversation
    Table(
        "desk_surveys", before,
        Column("session_id", String(255), primary_key=True), Column("language", String(2), nullable=False),
        Column("satisfaction", SmallInteger, nullable=False), Column("nps", SmallInteger, nullable=False),
        Column("answered_at", UtcDateTime, nullable=False),
    )  # fmt: skip
    before.create_all(connect(survey_url))
    store = SurveyStore(survey_url, clock=clock)
    try:
        with store.engine.begin() as connection:  # an answer stored by the old code
            columns = surveys_table.c
            connection.execute(
                surveys_table.insert().values(
                    {columns.session_id: "old", columns.language: "nb", columns.satisfaction: 3, columns.nps: 7,
                     columns.answered_at: START, columns.handoff_id: None}
                )
            )  # fmt: skip
        clock.advance(minutes=1)
        new = store.record(5, "new", "sv", 4, 9)
        with pytest.raises(AlreadyAnswered):
            store.record(5, "new", "sv", 1, 1)

        assert store.answers(START, START + dt.timedelta(days=1)) == [Survey(None, "old", "nb", 3, 7, START), new]
    finally:
        store.engine.dispose()
