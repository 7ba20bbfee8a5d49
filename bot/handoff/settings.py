"""The hand-off queue's settings from handoff.yml, so languages, topics and reasons live in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Tuple

import yaml

DEFAULT_PATH = Path(__file__).with_name("handoff.yml")


@dataclass(frozen=True)
class Settings:
    languages: Tuple[str, ...]
    topics: Tuple[str, ...]
    reasons: Tuple[str, ...]
    default_handling: dt.timedelta
    handling_window: dt.timedelta

    def check(self, kind: str, value: str) -> str:
        """`value` if it is one of the configured `kind` ("languages", "topics", "reasons"), else ValueError."""
        allowed = getattr(self, kind)
        if value not in allowed:
            raise ValueError(f"unknown {kind[:-1]} {value!r}: expected one of {', '.join(allowed)}")
        return value


def load(path: Path = DEFAULT_PATH) -> Settings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Settings(
        languages=tuple(raw["languages"]),
        topics=tuple(raw["topics"]),
        reasons=tuple(raw["reasons"]),
        default_handling=dt.timedelta(minutes=raw["default_handling_minutes"]),
        handling_window=dt.timedelta(days=raw["handling_window_days"]),
    )
