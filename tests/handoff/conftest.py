"""A fresh hand-off store per test, on SQLite and on PostgreSQL (fixtures `new_database`, `database_kind`
in tests/conftest.py), with a clock the test moves forward."""

from __future__ import annotations

from typing import Callable, Iterator, List, Optional

import pytest

from bot.handoff import Agent, Handoff, HandoffStore

@pytest.fixture
def store(new_database, clock) -> Iterator[HandoffStore]:
    handoff_store = HandoffStore(new_database("handoff"), clock=clock)
    yield handoff_store
    handoff_store.engine.dispose()


@pytest.fixture
def agent(store) -> Callable[..., Agent]:
    """`agent("kari", languages=["nb"], topics=["tracking"])`; by default every language and topic."""

    def add(
        username: str, languages: Optional[List[str]] = None, topics: Optional[List[str]] = None
    ) -> Agent:
        return store.add_agent(
            username,
            username.capitalize(),
            languages if languages is not None else store.settings.languages,
            topics if topics is not None else store.settings.topics,
        )

    return add


@pytest.fixture
def customer(store, clock) -> Callable[..., Handoff]:
    """`customer("anna", "sv", "booking")`: that conversation handed over now, one minute after the previous one."""

    def hand_over(
        sender_id: str, language: str = "nb", topic: str = "tracking", reason: str = "customer_asked"
    ) -> Handoff:
        clock.advance(minutes=1)
        return store.enqueue(sender_id, "rest", language, topic, reason, {"intent": f"{topic}_intent"})

    return hand_over
