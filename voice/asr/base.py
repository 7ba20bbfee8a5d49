"""What the turn detector needs from any recogniser, so an engine can be swapped by adding one file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol


@dataclass(frozen=True)
class Recognition:
    """A partial (`final=False`) may still change; only a final is worth sending to the dialogue."""

    text: str
    final: bool


class SpeechStream(Protocol):
    """One caller's audio, decoded incrementally; calls on one stream are made one at a time."""

    async def accept(self, pcm: bytes) -> Optional[Recognition]:
        """A partial when its text changed, a final when the engine ended an utterance, else None."""

    async def finish(self) -> Recognition:
        """Force the final of whatever is buffered (possibly empty text), ready for the next utterance."""

    def reset(self) -> None:
        """Drop buffered audio, e.g. when the caller's turn is abandoned."""

    def close(self) -> None:
        """The call has ended: the recogniser may serve another call."""
