"""A speech gate on webrtcvad: only the caller's speech (with a little lead-in) reaches the recogniser.

Silence produces no events at all, which is what makes a silent line cost next to nothing.
The gate has hysteresis, like py-webrtcvad's classic example: speech starts only when most frames
of the `padding_ms` window are voiced (a click or a cough does not open it), and ends only after
`trailing_silence_ms` of consecutive unvoiced frames.

The onset window is the padding window because webrtcvad calls the first ~5 frames of any new
stream "speech" while it learns the noise floor: a shorter window (say a majority of 5 frames)
would open the gate on every line that starts with hiss, and 300 ms still lets a short "ja" through.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from math import ceil
from typing import Deque, List, Union

import webrtcvad

from voice.audio import pcm
from voice.settings import VadSettings

WEBRTC_RATES = (8000, 16000, 32000, 48000)
WEBRTC_FRAME_MS = (10, 20, 30)


@dataclass(frozen=True)
class SpeechStarted:
    """`audio` is the padding before the onset plus this frame, so the first syllable is not lost."""

    audio: bytes


@dataclass(frozen=True)
class Speech:
    audio: bytes


@dataclass(frozen=True)
class SpeechEnded:
    """`trailing_silence_ms` of silence: the caller has probably finished the sentence."""


GateEvent = Union[SpeechStarted, Speech, SpeechEnded]


class SpeechGate:
    """One per caller: webrtcvad keeps state between frames, so a `Vad` is never shared."""

    def __init__(self, vad_settings: VadSettings, sample_rate: int, frame_ms: int) -> None:
        if sample_rate not in WEBRTC_RATES or frame_ms not in WEBRTC_FRAME_MS:
            raise ValueError(
                f"webrtcvad takes {WEBRTC_FRAME_MS} ms frames at {WEBRTC_RATES} Hz, "
                f"got {frame_ms} ms at {sample_rate} Hz"
            )
        self.sample_rate = sample_rate
        self.frame_ms = frame_ms
        self.frame_bytes = pcm.frame_bytes(sample_rate, frame_ms)
        self._vad = webrtcvad.Vad(vad_settings.aggressiveness)
        padding_frames = vad_settings.padding_ms // frame_ms
        self._padding: Deque[bytes] = deque(maxlen=padding_frames)
        self._onset_frames = max(1, padding_frames)
        self._onset: Deque[bool] = deque(maxlen=self._onset_frames)
        self._frames_to_end = max(1, ceil(vad_settings.trailing_silence_ms / frame_ms))
        self._silent_frames = 0
        self._speaking = False

    def push(self, frame: bytes) -> List[GateEvent]:
        """At most `[SpeechStarted]`, `[Speech]` or `[Speech, SpeechEnded]` per frame; `[]` in silence."""
        if len(frame) != self.frame_bytes:
            raise ValueError(
                f"the gate takes {self.frame_ms} ms frames of {self.frame_bytes} bytes, got {len(frame)} bytes"
            )
        voiced = self._vad.is_speech(frame, self.sample_rate)
        self._onset.append(voiced)
        return self._while_speaking(frame, voiced) if self._speaking else self._while_silent(frame)

    def _onset_heard(self) -> bool:
        return sum(self._onset) * 2 > self._onset_frames

    def _while_silent(self, frame: bytes) -> List[GateEvent]:
        if not self._onset_heard():
            self._padding.append(frame)
            return []
        audio = b"".join(self._padding) + frame
        self._padding.clear()
        self._silent_frames = 0
        self._speaking = True
        return [SpeechStarted(audio)]

    def _while_speaking(self, frame: bytes, voiced: bool) -> List[GateEvent]:
        self._silent_frames = 0 if voiced else self._silent_frames + 1
        if self._silent_frames < self._frames_to_end:
            return [Speech(frame)]
        self._speaking = False
        self._onset.clear()
        return [Speech(frame), SpeechEnded()]
