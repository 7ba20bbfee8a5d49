"""The one interface a call needs from a line: the same call runs over a phone, the sound card or a test script."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Protocol, Union


@dataclass(frozen=True)
class DtmfDigit:
    """A keypad press arrives between audio frames, so callers without a usable recogniser can still answer."""

    digit: str


class Transport(Protocol):
    """A caller's line: 20 ms frames of 16-bit mono PCM at `sample_rate` in, the bot's speech out.

    The transport resamples at its edge, so everything behind it sees the pipeline's rate only.
    """

    sample_rate: int

    def receive(self) -> AsyncIterator[Union[bytes, DtmfDigit]]:
        """Caller frames and keypad digits as they arrive; the iterator ends when the caller hangs up."""
        ...

    async def play(self, pcm: bytes) -> bool:
        """True when the audio was played to its end, False when `interrupt()` cut it short (barge-in)."""
        ...

    def interrupt(self) -> None:
        """Stop what is playing now: called from the event loop when the caller starts talking over the bot."""
        ...

    async def close(self) -> None: ...
