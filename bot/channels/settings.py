"""The channels' limits, read once from channels.yml beside this module.

One file, because the web chat, the REST channel and the voice channel must refuse the same
things: a message the widget lets through must not be refused by Rasa, and the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

SETTINGS = Path(__file__).with_name("channels.yml")


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` turns at once, refilled at `per_second`."""

    per_second: float
    burst: float


@dataclass(frozen=True)
class ChannelSettings:
    max_message_characters: int
    max_sender_characters: int
    max_metadata_depth: int
    max_body_bytes: int
    per_sender: Rate
    per_ip: Rate
    max_tracked_clients: int


@lru_cache(maxsize=None)
def load(path: Path = SETTINGS) -> ChannelSettings:
    raw: Dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    limits = raw["rate_limit"]
    return ChannelSettings(
        max_message_characters=int(raw["message"]["max_characters"]),
        max_sender_characters=int(raw["sender"]["max_characters"]),
        max_metadata_depth=int(raw["metadata"]["max_depth"]),
        max_body_bytes=int(raw["request"]["max_body_bytes"]),
        per_sender=_rate(limits["per_sender"]),
        per_ip=_rate(limits["per_ip"]),
        max_tracked_clients=int(limits["max_tracked_clients"]),
    )


def _rate(raw: Dict[str, Any]) -> Rate:
    return Rate(float(raw["per_second"]), float(raw["burst"]))
