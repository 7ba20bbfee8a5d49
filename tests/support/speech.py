"""Speech for spoken-dialogue tests: what a Norwegian or Swedish recogniser would have heard, and espeak-ng audio.

`ScriptedRecognisers` injects transcripts at the recogniser boundary, for languages without a
Norwegian or Swedish Vosk model here; the VAD and turn-taking still run on the real audio.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import List, Optional, Sequence

from voice.asr.base import Recognition
from voice.audio import pcm as pcm_audio


class _InjectedStream:
    def __init__(self, transcripts: List[str]) -> None:
        self.transcripts = transcripts
        self.audio_bytes = 0  # what the gate let through: zero for a silent caller

    async def accept(self, pcm: bytes) -> Optional[Recognition]:
        self.audio_bytes += len(pcm)
        return None

    async def finish(self) -> Recognition:
        return Recognition(self.transcripts.pop(0) if self.transcripts else "", True)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


class ScriptedRecognisers:
    """Stands in for the `Recognisers` of `voice.asr.engines` with what a Norwegian or Swedish model would have heard."""

    def __init__(self, language: str, transcripts: Sequence[str]) -> None:
        self.language = language
        self.streams: List[_InjectedStream] = []
        self._transcripts = list(transcripts)

    def has(self, language: str) -> bool:
        return language == self.language

    async def stream(self, language: str, sample_rate: Optional[int] = None, phrases=None) -> _InjectedStream:
        self.streams.append(_InjectedStream(self._transcripts))
        return self.streams[-1]


def espeak_speech(text: str, language: str, directory: Path, sample_rate: int = 16000, padding_s: float = 0.5) -> bytes:
    """Real synthetic speech from the espeak-ng command line, padded with silence like a caller's pause."""
    wav = directory / f"caller-{abs(hash((text, language)))}.wav"
    subprocess.run(["espeak-ng", "-v", language, "-w", str(wav), text], check=True)
    pcm, rate = pcm_audio.read_wav(wav)
    pad = pcm_audio.silence(int(padding_s * 1000), sample_rate)
    return pad + pcm_audio.resample(pcm, rate, sample_rate) + pad
