"""Forgetting a customer and the retention purge, on SQLite and PostgreSQL.

Conversations are written by Rasa's own SQLTrackerStore and the desk's data by
the desk's own stores, so the deletes meet the tables as the running assistant
fills them. Anna's conversation is 100 days old, Bo's is from today, and Cecilie
has waited 100 days in the queue without an agent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
from typing import Dict, Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import project
from bot.desk import survey_tables
from bot.desk.kpis import events
from bot.desk.surveys import SurveyStore
from bot.handoff import HandoffStore
from bot.handoff import tables as handoff_tables
from bot.privacy.erase import Eraser
from bot.sql import connect

TODAY = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
LONG_AGO = TODAY - dt.timedelta(days=100)
RETENTION = dt.timedelta(days=90)
PEOPLE = {"anna": LONG_AGO, "bo": TODAY}


@pytest.fixture
def world(new_database, database_kind, clock, tmp_path) -> Iterator[Dict]:
    tracker_url, desk_url = new_database("tracker"), new_database("desk")
    if database_kind == "sqlite":
        tracker_store = SQLTrackerStore(dialect="sqlite", db=make_url(tracker_url).database)
    else:
        tracker_store = SQLTrackerStore(dialect="postgresql", host=tracker_url)
    handoffs, surveys = HandoffStore(desk_url, clock=clock), SurveyStore(desk_url, clock=clock)
    agent = handoffs.add_agent("kari", "Kari", ["nb", "sv"], ["tracking"])
    calls_dir = tmp_path / "calls"
    calls_dir.mkdir()
    for sender, at in PEOPLE.items():
        start = at.timestamp()
        conversation = [
            ActionExecuted("action_session_start", timestamp=start),
            SessionStarted(timestamp=start),
            ActionExecuted("action_listen", timestamp=start),
            UserUttered("jeg vil snakke med et menneske", {"name": "human_handoff"}, timestamp=start + 1),
            BotUttered("Jeg setter deg over.", timestamp=start + 2),
        ]
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, conversation)))
        clock.now = at
        handoff = handoffs.enqueue(sender, "webchat", "nb", "tracking", "customer_asked")
        handoffs.claim(handoff.id, agent.id)
        handoffs.add_note(handoff.id, agent.id, f"{sender} venter på pakke")
        handoffs.close(handoff.id, "answered")
        handoffs.add_callback(sender, "nb", "tracking", "+4791234567", "etter kl. 16")
        surveys.record(handoff.id, sender, "nb", 4, 9)
        call_log = calls_dir / f"{sender}.json"
        call_log.write_text(json.dumps({"call_id": sender}), encoding="utf-8")
        os.utime(call_log, (start, start))
    clock.now = LONG_AGO
    handoffs.enqueue("cecilie", "webchat", "nb", "tracking", "customer_asked")  # still waiting
    tracker_engine, desk_engine = connect(tracker_url), connect(desk_url)
    yield {
        "eraser": Eraser(tracker_engine, desk_engine, calls_dir),
        "tracker": tracker_engine, "desk": desk_engine, "calls": calls_dir,
        "env": {"TRACKER_DATABASE_URL": tracker_url, "DESK_DATABASE_URL": desk_url},
    }  # fmt: skip
    for engine in (tracker_engine, desk_engine, tracker_store.engine, handoffs.engine, surveys.engine):
        engine.dispose()


def stored(world: Dict, sender: str) -> Dict[str, int]:
    """How many rows and files hold something about `sender`, per kind."""
    h = handoff_tables.handoffs

    def count(engine, table, condition) -> int:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table).where(condition)).scalar_one()

    of_sender = select(h.c.id).where(h.c.sender_id == sender)
    return {
        "events": count(world["tracker"], events, events.c.sender_id == sender),
        "handoffs": count(world["desk"], h, h.c.sender_id == sender),
        "notes": count(world["desk"], handoff_tables.notes, handoff_tables.notes.c.handoff_id.in_(of_sender)),
        "callbacks": count(world["desk"], handoff_tables.callbacks, handoff_tables.callbacks.c.sender_id == sender),
        "surveys": count(world["desk"], survey_tables.surveys, survey_tables.surveys.c.session_id == sender),
        "call_logs": int((world["calls"] / f"{sender}.json").exists()),
    }


NOTHING = {"events": 0, "handoffs": 0, "notes": 0, "callbacks": 0, "surveys": 0, "call_logs": 0}


def test_forgetting_a_customer_deletes_everything_about_them_and_nothing_else(world):
    bo_before = stored(world, "bo")
    assert all(bo_before.values()) and stored(world, "anna") == bo_before

    erased = world["eraser"].forget("anna")

    assert erased.counts == bo_before
    assert stored(world, "anna") == NOTHING
    assert stored(world, "bo") == bo_before
    assert world["eraser"].forget("anna").total == 0  # a second request finds nothing left


def test_forgetting_a_customer_in_the_queue_removes_the_open_handoff(world):
    assert stored(world, "cecilie")["handoffs"] == 1
    assert world["eraser"].forget("cecilie").counts["handoffs"] == 1
    assert stored(world, "cecilie") == NOTHING


def test_an_id_that_climbs_out_of_the_call_log_folder_deletes_no_file(world, tmp_path):
    outside = tmp_path / "anna.json"
    outside.write_text("{}", encoding="utf-8")
    world["eraser"].forget("../anna")
    assert outside.exists() and (world["calls"] / "anna.json").exists()


def test_the_purge_deletes_what_is_past_retention_but_keeps_recent_and_waiting_conversations(world):
    anna, bo, cecilie = stored(world, "anna"), stored(world, "bo"), stored(world, "cecilie")

    counted = world["eraser"].purge(TODAY - RETENTION, dry_run=True)
    assert stored(world, "anna") == anna  # a dry run deletes nothing
    erased = world["eraser"].purge(TODAY - RETENTION)

    assert erased.counts == counted.counts == anna
    assert stored(world, "anna") == NOTHING
    assert stored(world, "bo") == bo
    assert stored(world, "cecilie") == cecilie


def test_the_commands_purge_and_forget_on_the_configured_databases(world):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]

    def kundesenter(*args: str, status: int = 0) -> str:
        backend = {"BACKEND_URL": f"http://127.0.0.1:{closed_port}"}  # down: forget must not claim it erased there
        env = {**os.environ, **world["env"], **backend, "PYTHONPATH": str(project.ROOT)}
        command = [sys.executable, "-m", "bot.cli", "privacy", "--calls-dir", str(world["calls"]), *args]
        result = subprocess.run(command, cwd=project.ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == status, result.stderr
        return result.stderr

    days_since_anna = (dt.datetime.now(dt.timezone.utc) - LONG_AGO).days
    bo = stored(world, "bo")
    assert "would delete events 5" in kundesenter("purge", "--older-than", str(days_since_anna - 1), "--dry-run")
    assert stored(world, "anna")["events"] == 5
    assert "deleted events 5" in kundesenter("purge", "--older-than", str(days_since_anna - 1))
    assert stored(world, "anna") == NOTHING and stored(world, "bo") == bo

    said = kundesenter("forget", "bo", status=1)
    assert "events 5, notes 1, handoffs 1, callbacks 1, surveys 1, call_logs 1; backend NOT erased" in said
    assert "erased everything" not in said
    assert stored(world, "bo") == NOTHING
