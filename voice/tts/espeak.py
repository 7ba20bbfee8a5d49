"""Speech out with pyttsx3 and espeak-ng, rendered by one engine thread and cached per prompt.

espeak-ng is one synthesiser per process (one voice, one rate, one output callback at a
time) and pyttsx3 over it is not thread-safe, so every render in the process goes through
one thread that owns the engine; callers wait on a future instead of a lock, which keeps the
event loop free. Phone prompts repeat (greeting, menus, "are you still there?"), so each
synthesiser keeps rendered prompts in an LRU cache.
"""

from __future__ import annotations

import asyncio
import logging
import itertools
import queue
import tempfile
import sys
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pyttsx3
from pyttsx3.drivers import _espeak

from voice.audio import pcm
from voice.settings import TtsSettings
from voice.speech_text import for_speech
from voice.tts.base import VoiceUnavailable

# Not settings: they bound a driver workaround, they do not vary by deployment.
_ATTEMPTS = 3
_RENDER_TIMEOUT_S = 30.0
_WARM_UP = "ok"

Key = Tuple[str, str, int]  # text, language, sample rate

logger = logging.getLogger(__name__)


def _driver_print(*values: object, **_: object) -> None:
    logger.debug(" ".join(str(value) for value in values))


@dataclass(frozen=True)
class _Request:
    text: str
    voice: str
    words_per_minute: int
    sample_rate: int
    future: "Future[bytes]"


class EspeakSynthesizer:
    """`Synthesizer` over espeak-ng; concurrent requests for one prompt share a single render."""

    def __init__(self, settings: TtsSettings) -> None:
        self._settings = settings
        self._cache: "OrderedDict[Key, Future[bytes]]" = OrderedDict()
        self._lock = threading.RLock()
        self._renders = 0
        self._engine: Optional[_EngineThread] = _EngineThread.acquire()

    @property
    def renders(self) -> int:
        """Prompts this synthesiser had espeak render, i.e. cache misses: for metrics, and tests of the cache."""
        return self._renders

    def voice_for(self, language: str) -> str:
        """The espeak-ng voice configured for ``language`` (voice/config.yml `tts.voices`)."""
        voice = self._settings.voices.get(language)
        if voice is None:
            configured = ", ".join(sorted(self._settings.voices))
            raise VoiceUnavailable(
                f"no TTS voice for language {language!r}; voices are configured for {configured} "
                "(voice/config.yml tts.voices)"
            )
        return voice

    async def synthesize(self, text: str, language: str, sample_rate: int) -> bytes:
        voice = self.voice_for(language)
        spoken = for_speech(text, language)
        if not spoken:
            return b""
        future = self._render((text, language, sample_rate), spoken, voice)
        # Shielded: a caller barging in cancels its wait, not the render other callers share through the cache.
        return await asyncio.shield(asyncio.wrap_future(future))

    def close(self) -> None:
        """Stops the engine thread once the last synthesiser in the process is closed (waits for its renders)."""
        with self._lock:
            engine, self._engine = self._engine, None
            self._cache.clear()
        if engine is not None:
            engine.release()

    def _render(self, key: Key, spoken: str, voice: str) -> "Future[bytes]":
        with self._lock:
            if self._engine is None:
                raise RuntimeError("this EspeakSynthesizer is closed")
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            future: "Future[bytes]" = Future()
            self._renders += 1
            if self._settings.cache_size > 0:
                self._remember(key, future)
            self._engine.submit(_Request(spoken, voice, self._settings.words_per_minute, key[2], future))
            return future

    def _remember(self, key: Key, future: "Future[bytes]") -> None:
        self._cache[key] = future
        while len(self._cache) > self._settings.cache_size:
            self._cache.popitem(last=False)
        future.add_done_callback(lambda done: self._forget_failure(key, done))

    def _forget_failure(self, key: Key, done: "Future[bytes]") -> None:
        """A failed render is not a prompt: the next request tries again instead of getting the error."""
        if done.cancelled() or done.exception() is not None:
            with self._lock:
                if self._cache.get(key) is done:
                    del self._cache[key]


class _EngineThread:
    """The process's one pyttsx3 engine and the thread that owns it, shared by every open synthesiser."""

    _shared: Optional["_EngineThread"] = None
    _users = 0
    _guard = threading.Lock()

    def __init__(self) -> None:
        self._requests: "queue.Queue[Optional[_Request]]" = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="espeak-engine", daemon=True)
        self._thread.start()

    @classmethod
    def acquire(cls) -> "_EngineThread":
        with cls._guard:
            if cls._shared is None:
                cls._shared = cls()
            cls._users += 1
            return cls._shared

    def release(self) -> None:
        """The last user stops the thread, holding the guard so no new engine starts beside the old one."""
        with _EngineThread._guard:
            _EngineThread._users -= 1
            if _EngineThread._users:
                return
            _EngineThread._shared = None
            self._requests.put(None)
            self._thread.join()

    def submit(self, request: _Request) -> None:
        self._requests.put(request)

    def _run(self) -> None:
        with tempfile.TemporaryDirectory(prefix="kundesenter-tts-") as directory:
            engine: Optional[_Engine] = None
            failure: Optional[Exception] = None
            try:
                engine = _Engine(Path(directory))
            except Exception as error:  # reported to every request, where someone is waiting for it
                failure = error
            while (request := self._requests.get()) is not None:
                if request.future.set_running_or_notify_cancel():
                    _answer(request, engine, failure)
            if engine is not None:
                engine.close()


def _answer(request: _Request, engine: Optional[_Engine], failure: Optional[Exception]) -> None:
    try:
        if engine is None:
            raise RuntimeError(f"espeak-ng could not start: {failure}") from failure
        request.future.set_result(engine.render(request))
    except Exception as error:  # whatever went wrong belongs to the caller waiting on the future
        request.future.set_exception(error)


class _Engine:
    """pyttsx3's espeak driver, used in the one pattern found to render reliably many times in one thread.

    The driver runs espeak-ng in asynchronous retrieval mode: espeak synthesises on its own
    thread and the driver tracks it with flags both threads change. Seen here with repeated
    `save_to_file` + `runAndWait` (pyttsx3 2.99, espeak-ng 1.51):

    - `runAndWait()` can return before the WAV is written; reading it then finds no file, an
      empty one or a short one.
    - `runAndWait()` ends with `stop()`, which cancels whatever espeak still has queued. Rate
      and volume changes are queued commands in espeak, so `setProperty("rate")` is lost at
      random, and `stop()` leaves a "stopping" flag behind that cancels the *next* utterance,
      whose WAV is then written empty yet reported finished.

    So each render (1) sets the rate through the driver's own espeak binding and waits until
    espeak applied it (`Synchronize`), so nothing is queued when `stop()` looks; (2) sets the
    voice with `setProperty`, which espeak applies at once; (3) calls `save_to_file` and
    `runAndWait`, then waits for the driver's `finished-utterance` (sent from espeak's thread
    after the WAV is written) and for espeak to be idle; (4) keeps the WAV only if that
    utterance finished exactly once and completed, else renders again. A new driver has
    queued its defaults (rate 200, volume) in espeak, so the engine waits for those and then
    renders a throwaway warm-up before the first real prompt.

    The driver prints "Audio saved to ..." on stdout for every render, which on a phone line
    is a line per prompt in the operator's console; it goes to our debug log instead.
    """

    def __init__(self, directory: Path) -> None:
        self._engine = pyttsx3.init("espeak")
        sys.modules["pyttsx3.drivers.espeak"].print = _driver_print  # shadows the builtin in that module only
        self._directory = directory
        self._names = itertools.count()
        self._finished = threading.Event()
        self._completions: List[bool] = []
        self._voices: Dict[str, str] = {}
        self._token = self._engine.connect("finished-utterance", self._on_finished)
        _espeak.Synchronize()  # the driver's own defaults (rate, volume) are still queued in espeak
        self._render_wav(_WARM_UP, voice=None, words_per_minute=None)

    def render(self, request: _Request) -> bytes:
        audio, rate = self._render_wav(request.text, self._voice(request.voice), request.words_per_minute)
        return pcm.resample(audio, rate, request.sample_rate)

    def close(self) -> None:
        self._engine.disconnect(self._token)

    def _voice(self, configured: str) -> str:
        """The engine's id of the configured voice, matched by id or name ("gmq/sv" or "Swedish")."""
        if configured not in self._voices:
            voices = self._engine.getProperty("voices")
            wanted = configured.lower()
            match = next((v.id for v in voices if wanted in (v.id.lower(), v.name.lower())), None)
            if match is None:
                available = ", ".join(sorted(f"{v.id} ({v.name})" for v in voices))
                raise VoiceUnavailable(
                    f"espeak-ng has no voice {configured!r} (voice/config.yml tts.voices); available: {available}"
                )
            self._voices[configured] = match
        return self._voices[configured]

    def _render_wav(self, text: str, voice: Optional[str], words_per_minute: Optional[int]) -> Tuple[bytes, int]:
        for _ in range(_ATTEMPTS):
            path = self._directory / f"{next(self._names)}.wav"
            try:
                if self._render_once(text, voice, words_per_minute, path):
                    return pcm.read_wav(path)
            finally:
                path.unlink(missing_ok=True)
        raise RuntimeError(f"espeak-ng cancelled {text[:60]!r} {_ATTEMPTS} times in a row")

    def _render_once(self, text: str, voice: Optional[str], words_per_minute: Optional[int], path: Path) -> bool:
        if words_per_minute is not None:
            _espeak.SetParameter(_espeak.RATE, words_per_minute, 0)
            _espeak.Synchronize()
        if voice is not None:
            self._engine.setProperty("voice", voice)
        self._finished.clear()
        self._completions.clear()
        self._engine.save_to_file(text, str(path))
        self._engine.runAndWait()
        if not self._finished.wait(_RENDER_TIMEOUT_S):
            raise TimeoutError(f"espeak-ng did not finish {text[:60]!r} within {_RENDER_TIMEOUT_S:.0f} s")
        _espeak.Synchronize()
        return self._completions == [True] and path.exists()

    def _on_finished(self, name: Optional[str], completed: bool) -> None:
        self._completions.append(completed)
        self._finished.set()
