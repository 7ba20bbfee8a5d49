"""The carrier's business rules, read from `rules.yml` so they can change without touching code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

import yaml

RULES_FILE = Path(__file__).with_name("rules.yml")


@dataclass(frozen=True)
class OptionRule:
    """One delivery option a country offers, `working_day` working days from today."""

    kind: str
    working_day: int
    window: Optional[Tuple[str, str]] = None


@dataclass(frozen=True)
class Rules:
    timezone: ZoneInfo
    special_days_ahead: int
    max_body_bytes: int
    address_change_months_ahead: int
    complaint_handling_days: Mapping[str, int]
    changeable: Mapping[str, FrozenSet[str]]  # status -> kinds a booking may choose
    delivery_options: Mapping[str, List[OptionRule]]  # country -> options offered

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.timezone)

    def today(self) -> dt.date:
        return self.now().date()


def load(path: Path = RULES_FILE) -> Rules:
    raw: Dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    delivery = raw["delivery"]
    return Rules(
        timezone=ZoneInfo(raw["timezone"]),
        special_days_ahead=int(raw["special_days_ahead"]),
        max_body_bytes=int(raw["max_body_bytes"]),
        address_change_months_ahead=int(raw["address_change"]["max_months_ahead"]),
        complaint_handling_days={kind: int(days) for kind, days in raw["complaint_handling_days"].items()},
        changeable={status: frozenset(kinds) for status, kinds in delivery["changeable"].items()},
        delivery_options={
            country: [
                OptionRule(o["kind"], int(o["working_day"]), tuple(o["window"]) if o.get("window") else None)
                for o in options
            ]
            for country, options in delivery["options"].items()
        },
    )
