"""A caller played from a script on an in-process line: for tests, benchmarks and demos without a phone.

`ScriptedCaller` feeds the call 20 ms frames of recorded or synthetic speech, silence and keypad
digits, and keeps what the bot plays instead of sounding it. Time runs `speed` times faster than
the clock on both sides, so a 7 s silence takes 1.75 s at 4x; while the bot speaks the caller's
audio keeps flowing, as on a real line, which is what lets a caller barge in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import AsyncIterator, List, Optional, Sequence, Union

from voice.audio import pcm as pcm_audio
from voice.transports.base import DtmfDigit

QUIET_BEFORE_NEXT_STEP_S = 0.3  # the bot has finished when it has been quiet this long (scaled time)


@dataclass(frozen=True)
class Say:
    audio: bytes


@dataclass(frozen=True)
class Press:
    keys: str


@dataclass(frozen=True)
class Silence:
    seconds: float


@dataclass(frozen=True)
class AwaitBot:
    """Stay silent until the bot has answered and stopped talking.

    The answer is a prompt that started after the caller last began to speak or press (it may
    already be playing when this step begins: a `Say` ends with the silence that ends the turn)
    and after the previous `AwaitBot`, so a re-prompt during a `Silence` counts too.
    """


Step = Union[Say, Press, Silence, AwaitBot]


@dataclass
class ScriptedCaller:
    script: Sequence[Step]
    sample_rate: int = 16000
    frame_ms: int = 20
    speed: float = 4.0
    heard: List[bytes] = field(default_factory=list)  # every play() of the bot, in order
    finished: List[bool] = field(default_factory=list)  # whether each play ran to its end
    _plays_started: int = 0
    _answers_after: int = 0  # plays up to this count came before what the next AwaitBot waits for
    _playing: bool = False
    _interrupted: Optional[asyncio.Event] = None

    async def receive(self) -> AsyncIterator[Union[bytes, DtmfDigit]]:
        for step in self.script:
            if isinstance(step, Say):
                self._answers_after = self._plays_started
                for frame in pcm_audio.frames(step.audio, self.sample_rate, self.frame_ms):
                    yield frame
                    await self._tick()
            elif isinstance(step, Press):
                self._answers_after = self._plays_started
                for key in step.keys:
                    yield DtmfDigit(key)
            elif isinstance(step, Silence):
                for _ in range(int(step.seconds * 1000 / self.frame_ms)):
                    yield self._silence()
                    await self._tick()
            else:
                async for frame in self._until_bot_is_done():
                    yield frame

    async def _until_bot_is_done(self) -> AsyncIterator[bytes]:
        quiet_frames, needed = 0, int(QUIET_BEFORE_NEXT_STEP_S * 1000 / self.frame_ms)
        while self._plays_started == self._answers_after or self._playing or quiet_frames < needed:
            quiet_frames = 0 if self._playing or self._plays_started == self._answers_after else quiet_frames + 1
            yield self._silence()
            await self._tick()
        self._answers_after = self._plays_started

    async def play(self, pcm: bytes) -> bool:
        self._plays_started += 1
        self._playing = True
        self._interrupted = asyncio.Event()
        self.heard.append(pcm)
        try:
            seconds = pcm_audio.duration_s(pcm, self.sample_rate) / self.speed
            try:
                await asyncio.wait_for(self._interrupted.wait(), timeout=seconds)
                played = False
            except asyncio.TimeoutError:
                played = True
        finally:
            self._playing = False
        self.finished.append(played)
        return played

    def interrupt(self) -> None:
        if self._interrupted is not None:
            self._interrupted.set()

    async def close(self) -> None:
        self.interrupt()

    def _silence(self) -> bytes:
        return pcm_audio.silence(self.frame_ms, self.sample_rate)

    async def _tick(self) -> None:
        await asyncio.sleep(self.frame_ms / 1000 / self.speed)
