"""Whisper-family recognition (NB-Whisper, KB-Whisper) with faster-whisper on CTranslate2.

Whisper reads a whole utterance at once and has no partial results, so a call's stream only keeps
the audio the speech gate let through and decodes it when the turn detector ends the turn. A model
is loaded once per language and shared by every call. Decoding is CPU-bound, so all calls share one
pool of workers sized to the cores: beyond that, calls queue instead of slowing each other down, and
the event loop never waits (CTranslate2 releases the GIL while it decodes).

Whisper invents text for noise and silence, which on a phone line would become words the bot
answers; an utterance the model itself rates as no speech or decodes with low confidence is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_suppressed_tokens

from voice.asr.base import ModelMissing, Recognition
from voice.audio import pcm as pcm_audio
from voice.settings import VoiceSettings, WhisperSettings
from voice.whisper_models import ENGINE, model_problem

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000  # every Whisper model's input rate
FRAMES_PER_SECOND = 100  # log-mel frames, one every 10 ms
FULL_WINDOW_S = 30  # what every Whisper model was trained on


@dataclass(frozen=True)
class Heard:
    """What the model made of one utterance: the text kept, and what was dropped as noise (for the logs)."""

    language: str
    text: str
    dropped: str


@dataclass(frozen=True)
class _Piece:
    """One decoded stretch of audio with the model's own judgement of it."""

    text: str
    no_speech_prob: float
    avg_logprob: float


def transcribe(model: WhisperModel, samples: np.ndarray, language: str, options: WhisperSettings) -> Heard:
    """One utterance, blocking: greedy at temperature 0 in the caller's language, nothing carried between turns.

    faster-whisper's own no-speech rule drops a segment only when it is both probably silence and
    unsure; ours drops it on either, because a phone line's noise is worse as words than as nothing.
    """
    if options.window_s < FULL_WINDOW_S and len(samples) <= options.window_s * SAMPLE_RATE:
        pieces = [_short_window(model, samples, language, options)]
    else:  # a longer utterance than the short window still gets every word
        pieces = _segments(model, samples, language, options)
    kept: List[str] = []
    dropped: List[str] = []
    for piece in pieces:
        speech = piece.no_speech_prob <= options.no_speech_threshold
        sure = piece.avg_logprob >= options.min_avg_logprob
        (kept if speech and sure else dropped).append(piece.text)
    return Heard(language, " ".join(text for text in kept if text), " ".join(text for text in dropped if text))


def _segments(model: WhisperModel, samples: np.ndarray, language: str, options: WhisperSettings) -> List[_Piece]:
    """faster-whisper's own loop, which pads every 30 s window: for long utterances and the default window."""
    segments, _ = model.transcribe(
        samples,
        language=language,
        task="transcribe",
        beam_size=options.beam_size,
        temperature=0.0,  # a list would re-decode unsure utterances at higher temperatures: 4x the time
        condition_on_previous_text=False,
        without_timestamps=True,
        max_new_tokens=options.max_new_tokens,
        no_speech_threshold=None,
        log_prob_threshold=None,
        vad_filter=False,  # the call's speech gate already cut the utterance
    )
    # decoding happens while iterating, so here, in the worker thread
    return [_Piece(s.text.strip(), s.no_speech_prob, s.avg_logprob) for s in segments]


def _short_window(model: WhisperModel, samples: np.ndarray, language: str, options: WhisperSettings) -> _Piece:
    """The utterance padded to `window_s` instead of 30 s, straight through CTranslate2.

    faster-whisper pads every window to 30 s whatever its `chunk_length`, so the encoder would
    read 30 s of mostly silence for a three-second answer. The decoding options are the ones
    `_segments` gives faster-whisper, so only the window differs.
    """
    frames = options.window_s * FRAMES_PER_SECOND
    features = pad_or_trim(model.feature_extractor(samples)[:, :frames], frames)
    tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language=language)
    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = model.model.generate(
        model.encode(features),
        [prompt],
        beam_size=options.beam_size,
        max_length=len(prompt) + options.max_new_tokens,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, (-1,)),
    )[0]
    tokens = result.sequences_ids[0]
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)  # as faster-whisper computes it
    return _Piece(tokenizer.decode(tokens).strip(), result.no_speech_prob, avg_logprob)


class WhisperStream:
    """One call's recogniser; implements `voice.asr.base.SpeechStream`.

    The language is fixed when the call starts: detecting it per utterance costs a decoding pass and
    misreads short Norwegian answers as Danish or Swedish.
    """

    def __init__(self, models: "WhisperModels", model: WhisperModel, language: str, sample_rate: int) -> None:
        self._models = models
        self._model = model
        self.language = language  # Whisper's code, e.g. "no" for NB-Whisper
        self._sample_rate = sample_rate
        self._audio = bytearray()
        self.last: Optional[Heard] = None  # the previous utterance, dropped parts included

    async def accept(self, pcm: bytes) -> Optional[Recognition]:
        """Keeps the audio; Whisper has no partial results, so this never returns one."""
        pcm_audio.validate(pcm)
        self._audio.extend(pcm)
        return None

    async def finish(self) -> Recognition:
        """Decodes the utterance in the shared pool (waiting there when every worker is busy)."""
        audio, self._audio = bytes(self._audio), bytearray()
        if not audio:
            return Recognition("", final=True)
        self.last = await self._models.decode(self._model, audio, self._sample_rate, self.language)
        if self.last.dropped:  # its length only: even noise may have become a caller's name
            logger.debug("dropped %d characters the model rated as no speech or unsure", len(self.last.dropped))
        return Recognition(self.last.text, final=True)

    def reset(self) -> None:
        self._audio.clear()

    def close(self) -> None:
        """Nothing of the call outlives it: the model and the pool belong to `WhisperModels`."""
        self._audio.clear()


def _transcribe_pcm(model: WhisperModel, pcm: bytes, rate: int, language: str, options: WhisperSettings) -> Heard:
    if rate != SAMPLE_RATE:
        pcm = pcm_audio.resample(pcm, rate, SAMPLE_RATE)
    return transcribe(model, np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0, language, options)


class WhisperModels:
    """The process's Whisper models by language, and the one worker pool all their calls decode in.

    `paths` replaces the configured Whisper languages' models (tests use a random-weight model).
    """

    def __init__(self, settings: VoiceSettings, paths: Optional[Mapping[str, Optional[Path]]] = None) -> None:
        self._settings = settings
        self._options = settings.whisper
        self._paths: Dict[str, Optional[Path]] = dict(settings.models_of(ENGINE) if paths is None else paths)
        self._models: Dict[str, WhisperModel] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=self._options.workers, thread_name_prefix="whisper-decode")

    @property
    def workers(self) -> int:
        return self._options.workers

    def has(self, language: str) -> bool:
        path = self._paths.get(language)
        return path is not None and path.is_dir()

    async def stream(self, language: str, sample_rate: Optional[int] = None) -> WhisperStream:
        """Loading runs in the loop's default executor, not the pool, so a first call never holds up decoding."""
        model = await asyncio.get_running_loop().run_in_executor(None, self._model, language)
        code = self._options.language_codes.get(language, language)
        return WhisperStream(self, model, code, self._settings.sample_rate if sample_rate is None else sample_rate)

    async def decode(self, model: WhisperModel, pcm: bytes, sample_rate: int, language: str) -> Heard:
        """Resampling and decoding both run in the pool: neither belongs on the event loop."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, _transcribe_pcm, model, pcm, sample_rate, language, self._options
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _model(self, language: str) -> WhisperModel:
        """Under a lock, so calls arriving together during start-up load the model only once."""
        with self._lock:
            if language not in self._models:
                self._models[language] = self._load(language)
            return self._models[language]

    def _load(self, language: str) -> WhisperModel:
        path = self._paths.get(language)
        if path is None:
            raise ModelMissing(language, ENGINE, None)
        problem = model_problem(path)
        if problem is not None:
            raise ModelMissing(language, ENGINE, path, f"is unusable ({problem})")
        try:
            model = WhisperModel(
                str(path),
                device="cpu",
                compute_type=self._options.compute_type,
                cpu_threads=self._options.threads_per_worker,
                num_workers=self._options.workers,  # CTranslate2 runs this many decodes in parallel
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as error:
            raise ModelMissing(language, ENGINE, path, f"could not be loaded ({error})") from error
        if not model.model.is_multilingual:  # faster-whisper would silently decode English
            raise ModelMissing(language, ENGINE, path, "is not multilingual (its vocabulary has no empty-string token)")
        return model
