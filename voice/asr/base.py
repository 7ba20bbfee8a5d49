"""What the turn detector needs from any recogniser, so an engine can be swapped by adding one file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

from voice.settings import model_variable


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


class Recognisers(Protocol):
    """The process's models of one engine (or of every engine, `voice.asr.engines`), shared by all calls."""

    def has(self, language: str) -> bool:
        """Whether speech in `language` can be recognised; without it the call offers the keypad only."""

    async def stream(self, language: str, sample_rate: Optional[int] = None) -> SpeechStream:
        """A recogniser for one call; loads the language's model on first use, off the event loop."""


class ModelMissing(LookupError):
    """No usable model for a language: the message says where it was looked for and how to get one."""

    def __init__(self, language: str, engine: str, path: Optional[Path], problem: str = "") -> None:
        self.language = language
        self.path = path
        where = (
            f"no {engine.capitalize()} model is configured for {language!r}"
            if path is None
            else f"the {engine.capitalize()} model for {language!r} at {path} {problem or 'does not exist'}"
        )
        super().__init__(
            f"{where}; run `kundesenter models download {language}`, set asr.languages.{language}.model in "
            f"voice/config.yml or {model_variable(engine, language)} to a {engine.capitalize()} model directory"
        )
