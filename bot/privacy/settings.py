"""The privacy settings from privacy.yml: retention, purge interval and the masks' labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

DEFAULT_PATH = Path(__file__).with_name("privacy.yml")
KINDS = ("fodselsnummer", "personnummer", "phone", "email", "card")


@dataclass(frozen=True)
class Settings:
    retention: dt.timedelta
    purge_interval: dt.timedelta
    labels: Dict[str, str]


@lru_cache(maxsize=None)
def load(path: Path = DEFAULT_PATH) -> Settings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    labels = {kind: str(raw["labels"][kind]) for kind in KINDS}
    return Settings(
        retention=dt.timedelta(days=float(raw["retention_days"])),
        purge_interval=dt.timedelta(minutes=float(raw["purge_interval_minutes"])),
        labels=labels,
    )
