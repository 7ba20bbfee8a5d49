"""This computer's microphone and speakers as the caller's line, for trying the bot without a phone.

PortAudio (through sounddevice) calls us from its own audio thread, so captured blocks are handed
to the event loop with `call_soon_threadsafe`, and playback is fed from a callback that checks an
interrupt flag every block: barge-in stops the bot within one 20 ms block, without a thread
blocked in a write. Devices run at the pipeline's rate when they accept it, otherwise at their
own, and audio is resampled here at the edge.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, List, Optional, Union

import sounddevice as sd

from voice.audio.pcm import resample
from voice.settings import Device, VoiceSettings

logger = logging.getLogger(__name__)

SAMPLE_FORMAT = "int16"  # the pipeline's format (voice/audio/pcm.py), so no conversion happens here
CHANNELS = 1

WHAT_TO_DO = (
    "See which devices exist with `kundesenter voice --list-devices` (or `python -m sounddevice`) and pick one "
    "with voice/config.yml local.input_device/output_device; check that PulseAudio or PipeWire runs for this user "
    "(`pactl info`) and that ALSA sees a sound card (`arecord -l`, `aplay -l`)."
)


class NoAudioDevice(RuntimeError):
    """There is no usable microphone or speaker: the message says which and what to check."""


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: int
    default_input: bool
    default_output: bool

    def __str__(self) -> str:
        defaults = [
            kind for kind, is_default in (("input", self.default_input), ("output", self.default_output)) if is_default
        ]
        marker = f"  <- default {' and '.join(defaults)}" if defaults else ""
        return f"{self.index:3} {self.name} ({self.inputs} in, {self.outputs} out, {self.default_rate} Hz){marker}"


@dataclass(frozen=True)
class _Endpoint:
    """One opened side of the line: which PortAudio device, and the rate the stream runs at."""

    index: int
    name: str
    rate: int

    def block_samples(self, frame_ms: int) -> int:
        return self.rate * frame_ms // 1000


def list_devices() -> List[AudioDevice]:
    """What PortAudio found when it started; empty on a machine without a sound card or sound server."""
    default_input, default_output = sd.default.device
    return [
        AudioDevice(
            index,
            info["name"],
            info["max_input_channels"],
            info["max_output_channels"],
            int(info["default_samplerate"]),
            index == default_input,
            index == default_output,
        )
        for index, info in enumerate(sd.query_devices())
    ]


def _endpoint(wanted: Device, kind: str, rate: int) -> _Endpoint:
    """The device by index, name (part of it, as sounddevice matches) or the system default."""
    role = "microphone" if kind == "input" else "speaker"
    if not any(device[f"max_{kind}_channels"] > 0 for device in sd.query_devices()):
        raise NoAudioDevice(f"no {role}: PortAudio finds no {kind} device on this machine. {WHAT_TO_DO}")
    try:
        info = sd.query_devices(wanted, kind=kind)
    except (ValueError, sd.PortAudioError) as error:
        which = "default" if wanted is None else repr(wanted)
        raise NoAudioDevice(f"no {role} ({kind} device {which}): {error}. {WHAT_TO_DO}") from error
    index = info["index"]
    supported = rate if _accepts(index, kind, rate) else int(info["default_samplerate"])
    return _Endpoint(index, info["name"], supported)


def _accepts(index: int, kind: str, rate: int) -> bool:
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=index, samplerate=rate, channels=CHANNELS, dtype=SAMPLE_FORMAT)
    except sd.PortAudioError:
        return False
    return True


def _start(stream: Union[sd.RawInputStream, sd.RawOutputStream], what: str) -> None:
    try:
        stream.start()
    except sd.PortAudioError as error:
        stream.close(ignore_errors=True)
        raise NoAudioDevice(f"cannot start {what}: {error}. {WHAT_TO_DO}") from error


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., Any], *args: Any) -> None:
    """Runs on PortAudio's thread; the loop may already be gone when a last block arrives during shutdown."""
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:
        pass


async def _close(starting: asyncio.Future) -> None:
    """Closes a stream once it is open, even when the caller was cancelled while it opened; closing also aborts it."""
    try:
        stream = await starting
    except NoAudioDevice:
        return
    await asyncio.get_running_loop().run_in_executor(None, stream.close)


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class _Playback:
    """One prompt fed block by block to PortAudio's output callback, until its end or an interrupt."""

    def __init__(self, audio: bytes, interrupted: threading.Event) -> None:
        self.audio = audio
        self.position = 0
        self.interrupted = interrupted
        self.completed = False

    def end_with_silence(self, size: int) -> None:
        """Stopping a stream may drop what is still buffered (ALSA's PulseAudio plugin does): let that be silence."""
        self.audio += bytes(size)

    def fill(self, outdata: Any, frames: int, time: Any, status: sd.CallbackFlags) -> None:
        if self.interrupted.is_set():
            raise sd.CallbackAbort
        chunk = self.audio[self.position : self.position + len(outdata)]
        self.position += len(chunk)
        outdata[: len(chunk)] = chunk
        outdata[len(chunk) :] = bytes(len(outdata) - len(chunk))
        if self.position >= len(self.audio):
            self.completed = True
            raise sd.CallbackStop


class LocalAudio:
    """A `Transport` over sounddevice's raw 16-bit mono streams; `receive()` ends when `close()` is called."""

    def __init__(self, settings: VoiceSettings, input_device: Device = None, output_device: Device = None) -> None:
        self.sample_rate = settings.sample_rate
        self._frame_ms = settings.frame_ms
        self._frame_bytes = settings.frame_bytes
        self._latency_s = settings.device_latency_s
        chosen_input = input_device if input_device is not None else settings.input_device
        chosen_output = output_device if output_device is not None else settings.output_device
        self._input = _endpoint(chosen_input, "input", self.sample_rate)
        self._output = _endpoint(chosen_output, "output", self.sample_rate)
        self._interrupted = threading.Event()
        self._captured: Optional[asyncio.Queue[Optional[bytes]]] = None

    async def receive(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        captured: asyncio.Queue[Optional[bytes]] = asyncio.Queue()
        self._captured = captured

        def on_block(indata: Any, frames: int, time: Any, status: sd.CallbackFlags) -> None:
            if status:
                logger.debug("microphone: %s", status)
            _call_soon(loop, captured.put_nowait, bytes(indata))

        starting = loop.run_in_executor(None, self._start_input, on_block)
        try:
            await asyncio.shield(starting)
            pending = bytearray()
            while (block := await captured.get()) is not None:
                pending += resample(block, self._input.rate, self.sample_rate)
                while len(pending) >= self._frame_bytes:
                    yield bytes(pending[: self._frame_bytes])
                    del pending[: self._frame_bytes]
        finally:
            await _close(starting)

    def _start_input(self, on_block: Callable[..., None]) -> sd.RawInputStream:
        try:
            stream = sd.RawInputStream(
                samplerate=self._input.rate,
                blocksize=self._input.block_samples(self._frame_ms),
                device=self._input.index,
                channels=CHANNELS,
                dtype=SAMPLE_FORMAT,
                latency=self._latency_s,
                callback=on_block,
            )
        except sd.PortAudioError as error:
            raise NoAudioDevice(
                f"cannot record from the microphone {self._input.name!r}: {error}. {WHAT_TO_DO}"
            ) from error
        _start(stream, f"the microphone {self._input.name!r}")
        return stream

    async def play(self, pcm: bytes) -> bool:
        loop = asyncio.get_running_loop()
        self._interrupted.clear()
        audio = await loop.run_in_executor(None, resample, pcm, self.sample_rate, self._output.rate)
        playback = _Playback(audio, self._interrupted)
        finished = loop.create_future()
        starting = loop.run_in_executor(
            None, self._start_output, playback, lambda: _call_soon(loop, _resolve, finished)
        )
        try:
            await asyncio.shield(starting)
            await finished
        finally:
            await _close(starting)
        return playback.completed

    def _start_output(self, playback: _Playback, on_finished: Callable[[], None]) -> sd.RawOutputStream:
        block = self._output.block_samples(self._frame_ms)
        try:
            stream = sd.RawOutputStream(
                samplerate=self._output.rate,
                blocksize=block,
                device=self._output.index,
                channels=CHANNELS,
                dtype=SAMPLE_FORMAT,
                latency=self._latency_s,
                callback=playback.fill,
                finished_callback=on_finished,
            )
        except sd.PortAudioError as error:
            raise NoAudioDevice(f"cannot play on the speaker {self._output.name!r}: {error}. {WHAT_TO_DO}") from error
        buffered = round(stream.latency * self._output.rate) + block
        playback.end_with_silence(buffered * stream.samplesize * CHANNELS)
        _start(stream, f"the speaker {self._output.name!r}")
        return stream

    def interrupt(self) -> None:
        self._interrupted.set()

    async def close(self) -> None:
        self.interrupt()
        if self._captured is not None:
            self._captured.put_nowait(None)
