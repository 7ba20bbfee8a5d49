"""Servers a test session needs, started as soon as collection shows it needs them.

A Rasa server loads its model for over a minute; started from `pytest_collection_finish`
it loads while the unit tests run, instead of when the first test asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

Start = Callable[[Path], Any]  # a fresh temporary directory in, the running thing (or None: cannot run here) out


def start_if_needed(session: pytest.Session, fixture: str, key: "pytest.StashKey[Any]", start: Start) -> None:
    if any(fixture in getattr(item, "fixturenames", ()) for item in session.items):
        started(session.config, fixture, key, start)


def started(config: pytest.Config, fixture: str, key: "pytest.StashKey[Any]", start: Start) -> Any:
    """What `start` returned for this session, started now if collection did not (e.g. a plugin's late item)."""
    if key not in config.stash:
        config.stash[key] = start(Path(config._tmp_path_factory.mktemp(fixture)))  # type: ignore[attr-defined]
    return config.stash[key]
