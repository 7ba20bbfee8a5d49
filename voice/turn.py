"""Turn-taking: when the caller starts (barge-in), when they have finished, and when they say nothing.

Time is counted in frames of audio, not read from a clock: the decisions depend only on the
audio, so a test can push a minute of silence in milliseconds and get the same answer as a call.
Only audio the speech gate passes reaches the recogniser, so a silent line costs no decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Union

from voice.asr.base import SpeechStream
from voice.settings import TurnSettings
from voice.vad.webrtc import Speech, SpeechEnded, SpeechGate, SpeechStarted


@dataclass(frozen=True)
class CallerStarted:
    """The caller began to speak: the call stops its own prompt (barge-in)."""


@dataclass(frozen=True)
class CallerFinished:
    """The caller's turn is over; `text` may be empty.

    Speech the recogniser made nothing of is still a finished turn, so the call can ask again at
    once instead of waiting for the no-input timeout.
    """

    text: str


@dataclass(frozen=True)
class NoInput:
    """`no_input_timeout_s` of silence since `expect_input()`: the call re-prompts or hands over."""


TurnEvent = Union[CallerStarted, CallerFinished, NoInput]


class TurnDetector:
    """One per call, fed every caller frame in order, also while the bot speaks (for barge-in)."""

    def __init__(self, gate: SpeechGate, stream: SpeechStream, turn_settings: TurnSettings) -> None:
        self._gate = gate
        self._stream = stream
        self._no_input_frames = _frames(turn_settings.no_input_timeout_s, gate.frame_ms)
        self._max_turn_frames = _frames(turn_settings.max_turn_s, gate.frame_ms)
        self._expecting = False
        self._silent_frames = 0
        self._in_turn = False
        self._turn_frames = 0
        self._finals: List[str] = []
        self._dropping = False  # after a cut turn, until the gate closes

    def expect_input(self) -> None:
        """Start the no-input timer; called when the bot has finished speaking, not when it starts."""
        self._expecting = True
        self._silent_frames = 0

    async def push(self, frame: bytes) -> Optional[TurnEvent]:
        events = self._gate.push(frame)
        audio = b"".join(event.audio for event in events if isinstance(event, (SpeechStarted, Speech)))
        started = False
        if audio and not self._dropping:
            started = not self._in_turn
            if started:
                self._start_turn()
            await self._feed(audio)
        if any(isinstance(event, SpeechEnded) for event in events):
            self._dropping = False
            return await self._finish_turn() if self._in_turn else None
        if started:
            return CallerStarted()
        if self._in_turn:
            return await self._count_turn()
        return self._count_silence()

    def _start_turn(self) -> None:
        self._in_turn = True
        self._turn_frames = 1
        self._finals = []
        self._expecting = False

    async def _feed(self, audio: bytes) -> None:
        """Vosk may end an utterance itself at a short pause; its text is kept for the turn's end."""
        recognition = await self._stream.accept(audio)
        if recognition is not None and recognition.final:
            self._finals.append(recognition.text)

    async def _count_turn(self) -> Optional[CallerFinished]:
        """A caller who never pauses, or a noisy line that holds the gate open, must not hold the call.

        The rest of that stretch of speech is dropped rather than made a new turn: on a noisy line
        a new turn would barge in on every answer the bot tries to give.
        """
        self._turn_frames += 1
        if self._turn_frames < self._max_turn_frames:
            return None
        self._dropping = True
        return await self._finish_turn()

    async def _finish_turn(self) -> CallerFinished:
        last = await self._stream.finish()
        text = " ".join(part for part in [*self._finals, last.text] if part)
        self._in_turn = False
        self._finals = []
        return CallerFinished(text)

    def _count_silence(self) -> Optional[NoInput]:
        if not self._expecting:
            return None
        self._silent_frames += 1
        if self._silent_frames < self._no_input_frames:
            return None
        self._expecting = False
        return NoInput()


def _frames(seconds: float, frame_ms: int) -> int:
    return max(1, round(seconds * 1000 / frame_ms))
