"""The one interface a call needs from a line: the same call runs over a phone, the sound card or a test script."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Protocol, Union, runtime_checkable


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


@runtime_checkable
class Transferable(Protocol):
    """A line that can hand its caller to another phone (a SIP REFER), so a hand-over reaches a person on the same call.

    Runtime-checkable because the call loop asks each transport whether it can, rather than being told.
    """

    async def transfer(self, target_uri: str) -> bool:
        """True when the far end took the transfer (REFER accepted and the new call answered); False otherwise."""
        ...
