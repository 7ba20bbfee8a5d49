"""Rasa with bot.hotpath's fixes behaves as stock Rasa: same checks of the action server's answers,
same conversations in the SQLite tracker store, only without the per-message costs."""

import asyncio
import copy
from typing import Iterator

import pytest
import rasa.core.tracker_store as rasa_tracker_store
import sqlalchemy as sa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

from bot.hotpath import action_results, sqlite

ANSWER = {
    "events": [{"event": "slot", "timestamp": None, "name": "tracking_number", "value": "CP710202412NO"},
               {"event": "active_loop", "name": None}],
    "responses": [{"response": "utter_shipment_in_transit", "tracking_number": "CP710202412NO"}],
}
BROKEN = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot", "name": 7}], "responses": []},
    {"events": "not a list", "responses": []},
]


def stock_check(answer):
    return RemoteAction._validate_action_result(RemoteAction("action_track_parcel", None), answer)


def fast_check(answer):
    return action_results.validate_action_result(RemoteAction("action_track_parcel", None), answer)


def test_a_valid_answer_passes_both_checks():
    assert stock_check(copy.deepcopy(ANSWER)) is True
    assert fast_check(copy.deepcopy(ANSWER)) is True


@pytest.mark.parametrize("answer", BROKEN)
def test_a_broken_answer_is_refused_with_the_same_error_and_rasas_hint(answer):
    with pytest.raises(ValidationError) as stock:
        stock_check(copy.deepcopy(answer))
    with pytest.raises(ValidationError) as fast:
        fast_check(copy.deepcopy(answer))
    assert fast.value.message == stock.value.message
    assert list(fast.value.absolute_path) == list(stock.value.absolute_path)
    assert "Failed to validate Action server response" in fast.value.message


def test_install_puts_the_cached_check_in_rasas_place(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    action_results.install()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_track_parcel", None)._validate_action_result(copy.deepcopy(BROKEN[0]))


@pytest.fixture
def sqlite_fixes(monkeypatch) -> Iterator[None]:
    """sqlite.install() for one test; the other tests keep SQLite's and Rasa's defaults."""
    monkeypatch.setattr(rasa_tracker_store, "create_engine_kwargs", rasa_tracker_store.create_engine_kwargs)
    sqlite.install()
    yield
    sa.event.remove(sa.engine.Engine, "connect", sqlite.set_pragmas)


def test_rasas_sqlite_tracker_store_keeps_conversations_with_a_log_and_pooled_connections(sqlite_fixes, tmp_path):
    store = rasa_tracker_store.SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    try:
        assert isinstance(store.engine.pool, QueuePool)
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        events = [UserUttered("hvor er pakken min?"), SlotSet("tracking_number", "CP710202412NO")]
        tracker = DialogueStateTracker.from_events("kunde-1", events)
        asyncio.run(store.save(tracker))
        assert list(asyncio.run(store.retrieve("kunde-1")).events) == events
    finally:
        store.engine.dispose()


def test_in_memory_sqlite_and_postgresql_keep_their_pools(sqlite_fixes):
    assert rasa_tracker_store.create_engine_kwargs("sqlite://") == {}
    assert rasa_tracker_store.create_engine_kwargs("postgresql://rasa@localhost/trackers") == (
        sqlite._rasa_engine_kwargs("postgresql://rasa@localhost/trackers")
    )
    assert "pool_size" in rasa_tracker_store.create_engine_kwargs("postgresql://rasa@localhost/trackers")
