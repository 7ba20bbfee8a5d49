"""The one thing the call loop needs from a speech synthesiser, so engines can be swapped in one file."""

from __future__ import annotations

from typing import Protocol


class VoiceUnavailable(LookupError):
    """No voice for a language: not configured in voice/config.yml, or not installed in the engine."""


class Synthesizer(Protocol):
    async def synthesize(self, text: str, language: str, sample_rate: int) -> bytes:
        """16-bit mono PCM of ``text`` spoken in ``language``, at the transport's ``sample_rate``.

        Async because rendering is blocking engine work the event loop must not wait for:
        a call keeps listening for barge-in while the next prompt renders.
        """
        ...
