"""The voice layer's settings from `voice/config.yml`, typed once so no module reads raw YAML."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Union

import yaml

from bot import project

CONFIG = Path(__file__).with_name("config.yml")
Device = Union[str, int, None]


@dataclass(frozen=True)
class VadSettings:
    aggressiveness: int
    padding_ms: int
    trailing_silence_ms: int


@dataclass(frozen=True)
class TurnSettings:
    no_input_timeout_s: float
    max_no_input: int
    max_no_match: int
    max_turn_s: float


@dataclass(frozen=True)
class TtsSettings:
    voices: Dict[str, str]
    words_per_minute: int
    cache_size: int


@dataclass(frozen=True)
class CatalogModel:
    name: str
    url: str
    bytes: int
    md5: str


@dataclass(frozen=True)
class VoiceSettings:
    sample_rate: int
    frame_ms: int
    models: Dict[str, Optional[Path]]  # language -> model directory, None when none is configured
    vad: VadSettings
    turn: TurnSettings
    tts: TtsSettings
    input_device: Device
    output_device: Device
    catalog: Dict[str, CatalogModel]
    device_latency_s: float  # sound-card buffering of the local-audio line

    @property
    def frame_bytes(self) -> int:
        return self.sample_rate * self.frame_ms // 1000 * 2


def _model_path(language: str, configured: Optional[str]) -> Optional[Path]:
    value = os.environ.get(f"KUNDESENTER_VOSK_MODEL_{language.upper()}", configured)
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else project.ROOT / path


def load(path: Path = CONFIG) -> VoiceSettings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return VoiceSettings(
        sample_rate=int(raw["sample_rate"]),
        frame_ms=int(raw["frame_ms"]),
        models={language: _model_path(language, value) for language, value in raw["asr"]["models"].items()},
        vad=VadSettings(**raw["vad"]),
        turn=TurnSettings(**raw["turn"]),
        tts=TtsSettings(**raw["tts"]),
        input_device=raw["local"]["input_device"],
        output_device=raw["local"]["output_device"],
        catalog={language: CatalogModel(**model) for language, model in raw["catalog"].items()},
        device_latency_s=float(raw["local"]["latency_s"]),
    )


@lru_cache(maxsize=None)
def default() -> VoiceSettings:
    return load()
