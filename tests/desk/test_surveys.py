"""The customer's survey after a conversation, on SQLite and PostgreSQL: one answer per conversation, checked values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.desk.survey_tables import surveys as surveys_table
from bot.desk.surveys import InvalidSurvey, Survey, SurveyStore
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
    answer = survey_store.record("a" * 32, "sv", 4, 9)

    assert answer == Survey("a" * 32, "sv", 4, 9, START)
    assert survey_store.answers(START, START + dt.timedelta(seconds=1)) == [answer]
    assert survey_store.answers(START.astimezone(dt.timezone(dt.timedelta(hours=1))), START + dt.timedelta(days=1)) == [
        answer
    ]


def test_answering_again_replaces_the_first_answer(survey_store, clock):
    survey_store.record("session-1", "nb", 2, 3)
    clock.advance(minutes=3)
    survey_store.record("session-1", "sv", 5, 10)

    assert _rows(survey_store) == 1
    assert survey_store.answers(START, START + dt.timedelta(days=1)) == [
        Survey("session-1", "sv", 5, 10, START + dt.timedelta(minutes=3))
    ]


def test_answers_are_those_given_in_the_half_open_period_oldest_first(survey_store, clock):
    first = survey_store.record("early", "nb", 3, 7)
    clock.advance(hours=1)
    second = survey_store.record("later", "nb", 1, 0)
    clock.advance(hours=1)
    survey_store.record("too-late", "nb", 5, 10)

    assert survey_store.answers(START, START + dt.timedelta(hours=2)) == [first, second]
    assert survey_store.answers(START + dt.timedelta(seconds=1), START + dt.timedelta(hours=1)) == []


def test_bounds_are_accepted(survey_store):
    survey_store.record("low", "nb", 1, 0)
    survey_store.record("high", "sv", 5, 10)

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
        survey_store.record(*values)

    assert set(refused.value.fields) == fields
    assert all(reason for reason in refused.value.fields.values())
    assert _rows(survey_store) == 0


def test_reasons_tell_the_allowed_values(survey_store):
    with pytest.raises(InvalidSurvey) as refused:
        survey_store.record("s", "da", True, 11)

    assert refused.value.fields == {
        "language": "must be one of nb, sv",
        "satisfaction": "must be a whole number from 1 to 5",
        "nps": "must be a whole number from 0 to 10",
    }


def test_two_answers_of_one_conversation_at_the_same_moment_both_succeed_and_one_row_remains(survey_url, clock):
    stores = [SurveyStore(survey_url, clock=clock) for _ in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=len(stores)) as pool:
            answers = list(pool.map(lambda n: stores[n].record("racing", "nb", n + 1, n + 6), range(len(stores))))

        assert len(answers) == 4
        assert _rows(stores[0]) == 1
        (kept,) = stores[0].answers(START, START + dt.timedelta(days=1))
        assert (kept.satisfaction, kept.nps) in {(n + 1, n + 6) for n in range(4)}
    finally:
        for store in stores:
            store.engine.dispose()
