"""Vosk (Kaldi) speech recognition: one shared model per language, one recogniser per call.

A model is hundreds of megabytes and takes seconds to load, so it is loaded once, on first use,
and shared by every call; a `KaldiRecognizer` is cheap and holds one call's decoding state.
All Vosk calls block, so they run in the loop's executor, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import vosk

from voice.asr.base import ModelMissing, Recognition
from voice.audio import pcm as pcm_audio
from voice.settings import VoiceSettings

ENGINE = "vosk"  # its name in voice/config.yml
vosk.SetLogLevel(-1)  # Kaldi's per-utterance logging would drown the call logs


class VoskStream:
    """One call's recogniser; implements `voice.asr.base.SpeechStream`.

    Not safe for overlapping calls on the same stream: the turn detector awaits each one.
    """

    def __init__(
        self,
        model: vosk.Model,
        recognizer: vosk.KaldiRecognizer,
        release: Optional[Callable[[vosk.KaldiRecognizer], None]] = None,
    ) -> None:
        self.model = model  # kept so the model outlives every recogniser made from it
        self._recognizer = recognizer
        self._release = release
        self._partial = ""

    def close(self) -> None:
        """Hands the recogniser back for the next call: a used one decodes about twice as fast as a new one."""
        if self._release is not None:
            self.reset()
            self._release(self._recognizer)
            self._release = None

    async def accept(self, pcm: bytes) -> Optional[Recognition]:
        """Partials only when their text changed and is not blank, so listeners see progress, not noise."""
        pcm_audio.validate(pcm)
        ended, text = await asyncio.get_running_loop().run_in_executor(None, self._decode, pcm)
        if ended:
            self._partial = ""
            return Recognition(text, final=True) if text else None
        if text and text != self._partial:
            self._partial = text
            return Recognition(text, final=False)
        return None

    async def finish(self) -> Recognition:
        result = await asyncio.get_running_loop().run_in_executor(None, self._recognizer.FinalResult)
        self._partial = ""
        return Recognition(_text(result, "text"), final=True)

    def reset(self) -> None:
        self._recognizer.Reset()
        self._partial = ""

    def _decode(self, pcm: bytes) -> Tuple[bool, str]:
        if self._recognizer.AcceptWaveform(pcm):
            return True, _text(self._recognizer.Result(), "text")
        return False, _text(self._recognizer.PartialResult(), "partial")


def _text(result: str, key: str) -> str:
    return json.loads(result).get(key, "").strip()


class VoskModels:
    """The process's Vosk models by language, shared by all calls.

    `paths` replaces the configured Vosk languages' models, for models the configuration does not
    know (tests use Korean).
    """

    def __init__(self, settings: VoiceSettings, paths: Optional[Mapping[str, Optional[Path]]] = None) -> None:
        self._settings = settings
        self._paths: Dict[str, Optional[Path]] = dict(settings.models_of(ENGINE) if paths is None else paths)
        self._models: Dict[str, vosk.Model] = {}
        self._lock = threading.Lock()
        self._idle: Dict[Tuple[str, int], List[vosk.KaldiRecognizer]] = {}  # recognisers of ended calls

    def has(self, language: str) -> bool:
        path = self._paths.get(language)
        return path is not None and path.is_dir()

    async def stream(
        self, language: str, sample_rate: Optional[int] = None, phrases: Optional[List[str]] = None
    ) -> VoskStream:
        """A recogniser for one call; `phrases` limits it to those words (e.g. yes/no, digits).

        `sample_rate` defaults to the pipeline's rate; Vosk resamples other rates itself.
        """
        rate = self._settings.sample_rate if sample_rate is None else sample_rate
        loop = asyncio.get_running_loop()
        model = await loop.run_in_executor(None, self._model, language)
        if phrases is not None:  # a grammar is the call's own: never shared
            return VoskStream(model, await loop.run_in_executor(None, _recognizer, model, rate, phrases))
        idle = self._idle.setdefault((language, rate), [])
        recognizer = idle.pop() if idle else await loop.run_in_executor(None, _recognizer, model, rate, None)
        return VoskStream(model, recognizer, release=idle.append)

    def _model(self, language: str) -> vosk.Model:
        """Under a lock, so calls arriving together during start-up load the model only once."""
        with self._lock:
            if language not in self._models:
                self._models[language] = self._load(language)
            return self._models[language]

    def _load(self, language: str) -> vosk.Model:
        path = self._paths.get(language)
        if not self.has(language):
            raise ModelMissing(language, ENGINE, path)
        try:
            return vosk.Model(str(path))
        except Exception as error:  # vosk reports a bad directory only as a bare Exception
            raise ModelMissing(language, ENGINE, path, "could not be loaded (is it a Vosk model directory?)") from error


def _recognizer(model: vosk.Model, sample_rate: int, phrases: Optional[List[str]]) -> vosk.KaldiRecognizer:
    """A grammar is compiled here, which takes time for long lists: another reason for the executor."""
    if phrases is None:
        return vosk.KaldiRecognizer(model, sample_rate)
    return vosk.KaldiRecognizer(model, sample_rate, json.dumps(phrases, ensure_ascii=False))
