"""Each language's recogniser engine, chosen in voice/config.yml (`asr.languages.<lang>.engine`).

A call asks for "a recogniser for nb" and gets a Vosk or a Whisper stream without knowing which:
adding an engine is one module with a `Recognisers` class and one line in ENGINES. Engines are
imported and built only for the languages that use them, so a Vosk-only deployment never loads
faster-whisper, and each engine's models stay shared by every call.
"""

from __future__ import annotations

import importlib
from typing import Dict, Optional

from voice.asr.base import Recognisers, SpeechStream
from voice.settings import VoiceSettings

ENGINES = {  # name in config.yml -> the class holding that engine's models
    "vosk": "voice.asr.vosk:VoskModels",
    "whisper": "voice.asr.whisper:WhisperModels",
}


class UnknownEngine(ValueError):
    """A language names an engine this version does not have: a configuration error, reported at start-up."""


class EngineRecognisers:
    """Implements `Recognisers` for every configured language by handing each to its own engine."""

    def __init__(self, settings: VoiceSettings) -> None:
        self._engines: Dict[str, Recognisers] = {}
        self._by_language: Dict[str, Recognisers] = {}
        for language, engine in settings.engines.items():
            if engine not in self._engines:
                self._engines[engine] = _engine_class(engine)(settings)
            self._by_language[language] = self._engines[engine]

    def engine_of(self, language: str) -> Optional[Recognisers]:
        return self._by_language.get(language)

    def has(self, language: str) -> bool:
        engine = self._by_language.get(language)
        return engine is not None and engine.has(language)

    async def stream(self, language: str, sample_rate: Optional[int] = None) -> SpeechStream:
        engine = self._by_language.get(language)
        if engine is None:
            raise LookupError(f"no recogniser is configured for {language!r} (asr.languages in voice/config.yml)")
        return await engine.stream(language, sample_rate)

    def close(self) -> None:
        """Stops the engines' worker pools (Whisper's); Vosk has none."""
        for engine in self._engines.values():
            close = getattr(engine, "close", None)
            if close is not None:
                close()


def _engine_class(name: str) -> type:
    if name not in ENGINES:
        raise UnknownEngine(f"unknown recogniser engine {name!r} in voice/config.yml; known: {', '.join(ENGINES)}")
    module, attribute = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), attribute)

