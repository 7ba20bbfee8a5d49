"""The supervisor's key figures from real Rasa tracker events, hand-offs and survey answers, on SQLite and PostgreSQL.

Conversations are written by Rasa's own SQLTrackerStore, exactly as the running
assistant writes them, so the KPIs read the table layout Rasa really produces.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine, make_url

from bot.desk import kpis
from bot.desk.surveys import SurveyStore
from bot.handoff import HandoffStore
from bot.sql import connect

OSLO = ZoneInfo("Europe/Oslo")
REASONS = {
    "customer_asked": 0, "not_understood": 0, "angry": 0, "backend_down": 0, "outside_hours": 0,
    "caller_silent": 0, "speech_not_understood": 0,
}  # fmt: skip
CSV_HEADER = (
    "date,conversations,handoffs,containment_rate,handoff_rate,average_wait_seconds,"
    "average_handling_seconds,survey_responses,satisfaction_average,nps"
)
MARCH_2, MARCH_3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3)


def oslo(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=OSLO)


@pytest.fixture
def tracker_url(new_database) -> str:
    return new_database("tracker")


@pytest.fixture
def tracker_engine(tracker_url) -> Iterator[Engine]:
    """How the desk reads Rasa's tracker store: its own engine on the same URL."""
    engine = connect(tracker_url)
    yield engine
    engine.dispose()


@pytest.fixture
def chats(tracker_url, database_kind) -> Iterator[Callable[..., None]]:
    """`chats("anna", oslo(2, 9), oslo(2, 9, 5))`: a web chat where the customer writes at those moments.

    `external=True` makes every message one the bot triggered itself (an `EXTERNAL_` intent).
    """
    if database_kind == "sqlite":
        store = SQLTrackerStore(dialect="sqlite", db=make_url(tracker_url).database)
    else:
        store = SQLTrackerStore(dialect="postgresql", host=tracker_url)

    def chat(sender_id: str, *moments: dt.datetime, external: bool = False) -> None:
        start = moments[0].timestamp() - 1
        events: list[Event] = [
            ActionExecuted("action_session_start", timestamp=start),
            SessionStarted(timestamp=start),
            ActionExecuted("action_listen", timestamp=start),
        ]
        for moment in moments:
            at = moment.timestamp()
            if external:
                message = UserUttered.create_external("EXTERNAL_handoff_notice")
                message.timestamp = at
            else:
                message = UserUttered("hvor er pakken min?", {"name": "track_parcel", "confidence": 0.98}, timestamp=at)
            events += [
                message,
                ActionExecuted("utter_ask_tracking_number", timestamp=at + 0.5),
                BotUttered("Hva er sporingsnummeret?", timestamp=at + 0.5),
                ActionExecuted("action_listen", timestamp=at + 0.6),
            ]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender_id, events)))

    yield chat
    store.engine.dispose()


@pytest.fixture
def desk_url(new_database) -> str:
    return new_database("desk")


@pytest.fixture
def handoffs(desk_url, clock) -> Iterator[HandoffStore]:
    store = HandoffStore(desk_url, clock=clock)
    yield store
    store.engine.dispose()


@pytest.fixture
def surveys(desk_url, clock) -> Iterator[SurveyStore]:
    store = SurveyStore(desk_url, clock=clock)
    yield store
    store.engine.dispose()


@pytest.fixture
def report(tracker_engine, handoffs, surveys) -> Callable[[dt.date, dt.date], kpis.Kpis]:
    return lambda first, last: kpis.compute(tracker_engine, handoffs, surveys, first, last, OSLO)


def handed_over(
    handoffs: HandoffStore, clock, sender_id: str, at: dt.datetime, reason: str = "customer_asked",
    wait_minutes: float | None = None, handling_minutes: float | None = None,
) -> None:  # fmt: skip
    """A hand-off queued at `at`, claimed after `wait_minutes` and closed `handling_minutes` later (when given)."""
    clock.now = at
    handoff = handoffs.enqueue(sender_id, "webchat", "nb", "tracking", reason)
    if wait_minutes is not None:
        agent = next(iter(handoffs.agents()), None) or handoffs.add_agent("kari", "Kari", ["nb", "sv"], ["tracking"])
        clock.advance(minutes=wait_minutes)
        handoffs.claim(handoff.id, agent.id)
    if handling_minutes is not None or wait_minutes is None:
        clock.advance(minutes=handling_minutes or 1)
        handoffs.close(handoff.id, "done")


def figures(kpi: kpis.Kpi) -> tuple:
    return dataclasses.astuple(kpi)


def test_a_chat_across_midnight_in_oslo_counts_once_on_the_local_day_it_began(chats, report):
    chats("anna", oslo(2, 23, 50), oslo(3, 0, 20))  # 22:50 and 23:20 UTC on 2 March
    chats("nils", oslo(3, 0, 30))  # still 2 March in UTC: must count on 3 March
    chats("ola", oslo(1, 22), oslo(3, 10), oslo(4, 1))  # began before the period: counts on its first day within it
    chats("reminder", oslo(2, 12), external=True)  # only messages the bot triggered itself
    chats("per", oslo(4, 0, 0))  # the first moment after the period

    result = report(MARCH_2, MARCH_3)

    assert [(day.date, day.kpi.conversations) for day in result.days] == [(MARCH_2, 1), (MARCH_3, 2)]
    assert result.totals.conversations == 3


def test_summer_time_day_boundaries_are_local(chats, report):
    chats("early", oslo(29, 0, 30))  # 23:30 UTC on 28 March, the night clocks go forward
    chats("late", oslo(29, 23, 30))  # 21:30 UTC on 29 March (CEST)
    chats("next", oslo(30, 0, 15))  # 22:15 UTC on 29 March

    result = report(dt.date(2026, 3, 28), dt.date(2026, 3, 30))

    assert [day.kpi.conversations for day in result.days] == [0, 2, 1]


def test_without_handoffs_every_conversation_is_contained(chats, report):
    for n in range(4):
        chats(f"customer-{n}", oslo(2, 9 + n))

    result = report(MARCH_2, MARCH_2)

    assert figures(result.totals) == (4, 0, 1.0, 0.0, None, None, 0, None, None)
    assert result.days[0].kpi == result.totals
    assert result.reasons == REASONS


def test_handoffs_lower_containment_and_give_waits_and_handling_times(chats, report, handoffs, clock):
    for sender in ("anna", "bo", "cecilie", "dag"):
        chats(sender, oslo(2, 9))
    chats("eva", oslo(2, 23, 55))
    handed_over(handoffs, clock, "anna", oslo(2, 10), wait_minutes=2, handling_minutes=10)
    handed_over(handoffs, clock, "bo", oslo(2, 11), "angry", wait_minutes=4, handling_minutes=5)
    handed_over(handoffs, clock, "bo", oslo(2, 12), "not_understood")  # the customer left before anyone came
    handed_over(handoffs, clock, "eva", oslo(3, 0, 5), "outside_hours")  # still waiting

    result = report(MARCH_2, MARCH_3)

    # 2 March: five conversations, three of them handed over (eva's hand-off came after midnight, still hers).
    assert figures(result.days[0].kpi) == (5, 3, 0.4, 0.6, 180.0, 450.0, 0, None, None)
    assert figures(result.days[1].kpi) == (0, 1, None, None, None, None, 0, None, None)
    assert figures(result.totals) == (5, 4, 0.4, 0.6, 180.0, 450.0, 0, None, None)
    assert result.reasons == {**REASONS, "customer_asked": 1, "angry": 1, "not_understood": 1, "outside_hours": 1}
    # The same measure as the queue's own statistics.
    stats = handoffs.stats(oslo(2, 0), oslo(4, 0))
    assert (stats.average_wait.total_seconds(), stats.average_handling.total_seconds()) == (180.0, 450.0)
    assert stats.by_reason == result.reasons


def test_rates_are_rounded_to_four_places(chats, report, handoffs, clock):
    for sender in ("anna", "bo", "cecilie"):
        chats(sender, oslo(2, 9))
    handed_over(handoffs, clock, "anna", oslo(2, 10))

    totals = report(MARCH_2, MARCH_2).totals

    assert (totals.handoff_rate, totals.containment_rate) == (0.3333, 0.6667)


def test_nps_is_promoters_minus_detractors_per_hundred_answers(report, surveys, clock):
    for n, (satisfaction, nps) in enumerate([(5, 9), (4, 10), (3, 7), (2, 3)]):
        clock.now = oslo(2, 10 + n)
        surveys.record(n, f"s{n}", "nb", satisfaction, nps)
    clock.now = oslo(3, 0, 30)  # 23:30 UTC on 2 March
    surveys.record(10, "night", "sv", 5, 8)
    clock.now = oslo(4, 9)  # after the period
    surveys.record(11, "later", "sv", 1, 0)

    result = report(MARCH_2, MARCH_3)

    assert figures(result.days[0].kpi)[6:] == (4, 3.5, 25)
    assert figures(result.days[1].kpi)[6:] == (1, 5.0, 0)  # a passive: neither promoter nor detractor
    assert figures(result.totals)[6:] == (5, 3.8, 20)


@pytest.mark.parametrize(
    "answers, satisfaction, nps",
    [
        ([(5, 9)] + [(4, 8)] * 7, 4.13, 13),  # 12.5 rounds away from zero, 4.125 to 4.13
        ([(1, 0)] + [(4, 8)] * 7, 3.63, -13),
        ([(5, 10), (5, 10), (4, 0)], 4.67, 33),
        ([(1, 6)], 1.0, -100),
    ],
)
def test_nps_and_satisfaction_rounding(report, surveys, clock, answers, satisfaction, nps):
    for n, (score, recommend) in enumerate(answers):
        clock.now = oslo(2, 9, n)
        surveys.record(n, f"s{n}", "nb", score, recommend)

    totals = report(MARCH_2, MARCH_2).totals

    assert (totals.survey_responses, totals.satisfaction_average, totals.nps) == (len(answers), satisfaction, nps)


def test_a_fresh_installation_without_the_events_table_has_zero_conversations(report):
    result = report(dt.date(2026, 3, 1), dt.date(2026, 3, 7))

    assert [day.date for day in result.days] == [dt.date(2026, 3, d) for d in range(1, 8)]
    assert all(figures(day.kpi) == (0, 0, None, None, None, None, 0, None, None) for day in result.days)
    assert figures(result.totals) == (0, 0, None, None, None, None, 0, None, None)
    assert result.reasons == REASONS


def test_an_empty_events_table_has_zero_conversations(chats, report):
    result = report(MARCH_2, MARCH_2)  # the chats fixture created Rasa's table, with nothing in it

    assert result.totals.conversations == 0


def test_a_period_must_not_end_before_it_starts_nor_be_too_long(report):
    with pytest.raises(ValueError):
        report(MARCH_3, MARCH_2)
    with pytest.raises(ValueError):
        report(dt.date(2025, 1, 1), dt.date(2026, 1, 2))


def test_json_has_the_shape_of_the_supervisor_api(chats, report, handoffs, surveys, clock):
    chats("anna", oslo(2, 9))
    handed_over(handoffs, clock, "anna", oslo(2, 10), wait_minutes=1, handling_minutes=2)
    surveys.record(1, "anna", "nb", 4, 9)

    body = kpis.to_json(report(MARCH_2, MARCH_3))

    kpi = {
        "conversations": 1, "handoffs": 1, "containment_rate": 0.0, "handoff_rate": 1.0,
        "average_wait_seconds": 60.0, "average_handling_seconds": 120.0,
        "survey_responses": 1, "satisfaction_average": 4.0, "nps": 100,
    }  # fmt: skip
    empty = {**{key: None for key in kpi}, "conversations": 0, "handoffs": 0, "survey_responses": 0}
    assert body == {
        "from": "2026-03-02",
        "to": "2026-03-03",
        "totals": kpi,
        "days": [{"date": "2026-03-02", **kpi}, {"date": "2026-03-03", **empty}],
        "reasons": {**REASONS, "customer_asked": 1},
    }


def test_csv_has_a_header_a_row_per_day_and_a_total(chats, report, handoffs, surveys, clock):
    for sender in ("anna", "bo", "cecilie"):
        chats(sender, oslo(2, 9))
    handed_over(handoffs, clock, "anna", oslo(2, 10), wait_minutes=1.5, handling_minutes=2)
    surveys.record(1, "anna", "nb", 2, 3)

    text = kpis.to_csv(report(MARCH_2, MARCH_3))

    assert text == (
        CSV_HEADER + "\r\n"
        "2026-03-02,3,1,0.6667,0.3333,90.0,120.0,1,2.00,-100\r\n"
        "2026-03-03,0,0,,,,,0,,\r\n"
        "total,3,1,0.6667,0.3333,90.0,120.0,1,2.00,-100\r\n"
    )


def test_csv_of_an_empty_period_keeps_whole_rates_at_four_places(chats, report):
    chats("anna", oslo(2, 9))

    rows = list(csv.reader(io.StringIO(kpis.to_csv(report(MARCH_2, MARCH_2)))))

    assert rows[1] == ["2026-03-02", "1", "0", "1.0000", "0.0000", "", "", "0", "", ""]
    assert rows[-1][0] == "total"


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("-25", "-25"),
        ("+0.5", "+0.5"),
        ("2026-03-02", "2026-03-02"),
        ("total", "total"),
    ],
)
def test_a_cell_cannot_start_a_formula_but_numbers_stay_numbers(value, cell):
    assert kpis.csv_cell(value) == cell


def test_a_hostile_value_in_any_column_cannot_start_a_cell_with_a_formula(report):
    result = report(MARCH_2, MARCH_2)
    hostile = dataclasses.replace(result.totals, nps="=1+1", satisfaction_average="@A1", conversations="-1-1")
    result = dataclasses.replace(result, totals=hostile)

    rows = list(csv.reader(io.StringIO(kpis.to_csv(result))))

    assert rows[-1] == ["total", "'-1-1", "0", "", "", "", "", "0", "'@A1", "'=1+1"]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
