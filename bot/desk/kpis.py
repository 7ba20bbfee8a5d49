"""The supervisor's key figures, per local day of the contact centre and for the whole period.

Three sources, each read where it is kept: conversations from Rasa's SQL tracker
store (table `events`), hand-offs from the hand-off queue, survey answers from the
survey store. Days are local days in the desk's time zone (a chat at 00:30 in Oslo
belongs to that Oslo day, not to the UTC day before), and every day of the period
is listed, with zeros, so a chart or spreadsheet has no gaps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine, Row

from bot.desk.surveys import Survey, SurveyStore
from bot.desk.tracker_events import customer_spoke, events
from bot.handoff import HandoffStore
from bot.handoff import tables as handoff_tables

# A supervisor asks for weeks or months; a year at most keeps a typo in a URL from building millions of rows.
MAX_DAYS = 366


@dataclass(frozen=True)
class Kpi:
    """One day's or the period's figures; rates in 0..1, and None where nothing was measured."""

    conversations: int
    handoffs: int
    containment_rate: float | None
    handoff_rate: float | None
    average_wait_seconds: float | None
    average_handling_seconds: float | None
    survey_responses: int
    satisfaction_average: float | None
    nps: int | None


@dataclass(frozen=True)
class DayKpi:
    date: dt.date
    kpi: Kpi


@dataclass(frozen=True)
class Kpis:
    first_day: dt.date
    last_day: dt.date
    totals: Kpi
    days: tuple[DayKpi, ...]
    reasons: dict[str, int]  # every reason of handoff.yml, zeros included


CSV_COLUMNS = ("date",) + tuple(f.name for f in fields(Kpi))
_RATES = {"containment_rate", "handoff_rate"}
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def compute(
    tracker_engine: Engine,
    handoffs: HandoffStore,
    surveys: SurveyStore,
    first_day: dt.date,
    last_day: dt.date,
    tz: ZoneInfo,
) -> Kpis:
    """The figures for the local days first_day..last_day (inclusive) in `tz`.

    A conversation is a sender with at least one customer message in the period,
    counted once, on the day of its first one. Its hand-off rate counts it as
    handed over when it had a hand-off queued in the period, on that same day,
    so a day's rate stays within 0..1 even when the hand-off came after midnight.
    The `handoffs` column, waits and handling times belong to the day the hand-off
    was queued; survey answers to the day they were given.
    """
    if last_day < first_day:
        raise ValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    count = (last_day - first_day).days + 1
    if count > MAX_DAYS:
        raise ValueError(f"a period of {count} days is longer than {MAX_DAYS}")
    since, until = _midnight(first_day, tz), _midnight(last_day + dt.timedelta(days=1), tz)

    conversations = _conversation_days(tracker_engine, since, until, tz)
    queued = _queued(handoffs, since, until)
    answers = surveys.answers(since, until)

    handed_over = {row.sender_id for row in queued}
    conversations_by_day = Counter(conversations.values())
    handed_over_by_day = Counter(day for sender, day in conversations.items() if sender in handed_over)
    queued_by_day: dict[dt.date, list[Row]] = defaultdict(list)
    for row in queued:
        queued_by_day[row.queued_at.astimezone(tz).date()].append(row)
    answers_by_day: dict[dt.date, list[Survey]] = defaultdict(list)
    for answer in answers:
        answers_by_day[answer.answered_at.astimezone(tz).date()].append(answer)

    days = tuple(
        DayKpi(day, _kpi(conversations_by_day[day], handed_over_by_day[day], queued_by_day[day], answers_by_day[day]))
        for day in (first_day + dt.timedelta(days=n) for n in range(count))
    )
    reasons = {**dict.fromkeys(handoffs.settings.reasons, 0), **Counter(row.reason for row in queued)}
    totals = _kpi(len(conversations), sum(handed_over_by_day.values()), queued, answers)
    return Kpis(first_day, last_day, totals, days, reasons)


def to_json(kpis: Kpis) -> dict[str, Any]:
    """The body of `GET /api/kpis` (docs/design/desk-api.md, "Supervisor API")."""
    return {
        "from": kpis.first_day.isoformat(),
        "to": kpis.last_day.isoformat(),
        "totals": asdict(kpis.totals),
        "days": [{"date": day.date.isoformat(), **asdict(day.kpi)} for day in kpis.days],
        "reasons": dict(kpis.reasons),
    }


def to_csv(kpis: Kpis) -> str:
    """The body of `GET /api/kpis.csv`: a header, one row per day, then `total`; empty cells where JSON has null."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = [(day.date.isoformat(), day.kpi) for day in kpis.days] + [("total", kpis.totals)]
    for label, kpi in rows:
        writer.writerow([csv_cell(label)] + [csv_cell(_text(name, getattr(kpi, name))) for name in CSV_COLUMNS[1:]])
    return out.getvalue()


def csv_cell(text: str) -> str:
    """`text`, defused when a spreadsheet would run it as a formula (a leading =, +, -, @, tab or CR).

    Numbers, negative ones included, stay numbers. Every cell goes through here,
    not only those that could hold text today, so a later column cannot forget it.
    """
    if text.startswith(_FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def _kpi(conversations: int, handed_over: int, queued: Sequence[Row], answers: Sequence[Survey]) -> Kpi:
    waits = [row.assigned_at - row.queued_at for row in queued if row.assigned_at]
    handling = [row.closed_at - row.assigned_at for row in queued if row.assigned_at and row.closed_at]
    handoff_rate = Decimal(handed_over) / conversations if conversations else None
    promoters = sum(1 for answer in answers if answer.nps >= 9)
    detractors = sum(1 for answer in answers if answer.nps <= 6)
    return Kpi(
        conversations=conversations,
        handoffs=len(queued),
        containment_rate=_round(1 - handoff_rate, 4) if handoff_rate is not None else None,
        handoff_rate=_round(handoff_rate, 4) if handoff_rate is not None else None,
        average_wait_seconds=_mean_seconds(waits),
        average_handling_seconds=_mean_seconds(handling),
        survey_responses=len(answers),
        satisfaction_average=(
            _round(Decimal(sum(answer.satisfaction for answer in answers)) / len(answers), 2) if answers else None
        ),
        nps=int(_round(Decimal(100 * (promoters - detractors)) / len(answers), 0)) if answers else None,
    )


def _conversation_days(engine: Engine, since: dt.datetime, until: dt.datetime, tz: ZoneInfo) -> dict[str, dt.date]:
    """Each sender with a customer message in [since, until) and the local day of its first one.

    A fresh installation has no `events` table until Rasa saves its first
    conversation: that is zero conversations, not an error.
    """
    if not inspect(engine).has_table("events"):
        return {}
    query = (
        select(events.c.sender_id, func.min(events.c.timestamp).label("first"))
        .where(
            customer_spoke(),
            events.c.timestamp >= since.timestamp(),
            events.c.timestamp < until.timestamp(),
        )
        .group_by(events.c.sender_id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return {row.sender_id: dt.datetime.fromtimestamp(row.first, tz).date() for row in rows}


def _queued(handoffs: HandoffStore, since: dt.datetime, until: dt.datetime) -> list[Row]:
    """The hand-offs queued in [since, until), read straight from the queue's table (read-only)."""
    h = handoff_tables.handoffs
    query = select(h.c.sender_id, h.c.reason, h.c.queued_at, h.c.assigned_at, h.c.closed_at).where(
        h.c.queued_at >= since, h.c.queued_at < until
    )
    with handoffs.engine.connect() as connection:
        return connection.execute(query).all()


def _midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The start of the local day, in UTC (no DST change in Europe happens at midnight)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.timezone.utc)


def _mean_seconds(durations: Sequence[dt.timedelta]) -> float | None:
    if not durations:
        return None
    return _round(Decimal(sum(d.total_seconds() for d in durations)) / len(durations), 1)


def _round(value: Decimal, places: int) -> float:
    """Half away from zero, on exact decimals: 12.5 → 13 and 2.675 → 2.68, not Python's banker's rounding."""
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in _RATES and isinstance(value, float):
        return f"{value:.4f}"
    if name == "satisfaction_average" and isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
