"""Drives `LocalAudio` in a process of its own, so PortAudio starts in the audio environment the test chose.

PortAudio looks for devices once, when `sounddevice` is imported, reading the ALSA configuration
and PULSE_SERVER of that moment; a test process that imported it earlier (or never had the
private PulseAudio) would see the wrong devices. Run as
`python -m tests.support.local_audio_probe SCENARIO ...` from the project root; the last line on
stdout is a JSON report.

`--refuse-pipeline-rate` pretends the devices do not take 16 kHz, as many sound cards without a
sound server do, so the resampling at the transport's edge runs too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict

from voice import settings
from voice.audio import pcm
from voice.transports import local


async def receive(audio: local.LocalAudio, args: argparse.Namespace) -> Dict[str, Any]:
    """Prints "recording" once the first frame is in, so the test starts its WAV only when it can be heard."""
    captured = []
    deadline = None
    async for frame in audio.receive():
        captured.append(frame)
        if deadline is None:
            print("recording", flush=True)
            deadline = time.monotonic() + args.seconds
        if time.monotonic() >= deadline:
            await audio.close()
    args.output.write_bytes(b"".join(captured))
    return {"frames": len(captured), "frame_sizes": sorted({len(frame) for frame in captured})}


async def play(audio: local.LocalAudio, args: argparse.Namespace) -> Dict[str, Any]:
    clip = _pipeline_audio(args.wav, audio.sample_rate)
    started = time.monotonic()
    completed = await audio.play(clip)
    return {
        "completed": completed,
        "seconds": time.monotonic() - started,
        "clip_seconds": pcm.duration_s(clip, audio.sample_rate),
    }


async def interrupt(audio: local.LocalAudio, args: argparse.Namespace) -> Dict[str, Any]:
    playing = asyncio.create_task(audio.play(_pipeline_audio(args.wav, audio.sample_rate)))
    await asyncio.sleep(args.after)
    interrupted = time.monotonic()
    audio.interrupt()
    completed = await playing
    return {"completed": completed, "stopped_after_s": time.monotonic() - interrupted}


def _pipeline_audio(wav: Path, rate: int) -> bytes:
    audio, wav_rate = pcm.read_wav(wav)
    return pcm.resample(audio, wav_rate, rate)


async def run(args: argparse.Namespace) -> Dict[str, Any]:
    if args.refuse_pipeline_rate:
        local._accepts = lambda index, kind, rate: False
    try:
        audio = local.LocalAudio(settings.default())
    except local.NoAudioDevice as error:
        return {"error": type(error).__name__, "message": str(error), "devices": [str(d) for d in local.list_devices()]}
    report = await args.scenario(audio, args)
    await audio.close()
    return {
        **report,
        "input_rate": audio._input.rate,
        "output_rate": audio._output.rate,
        "sample_rate": audio.sample_rate,
    }


async def open_only(audio: local.LocalAudio, args: argparse.Namespace) -> Dict[str, Any]:
    return {"opened": True}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(description=__doc__)
    root.add_argument("--refuse-pipeline-rate", action="store_true")
    scenarios = root.add_subparsers(required=True)
    scenarios.add_parser("open").set_defaults(scenario=open_only)
    recording = scenarios.add_parser("receive")
    recording.add_argument("seconds", type=float)
    recording.add_argument("output", type=Path)
    recording.set_defaults(scenario=receive)
    playing = scenarios.add_parser("play")
    playing.add_argument("wav", type=Path)
    playing.set_defaults(scenario=play)
    stopping = scenarios.add_parser("interrupt")
    stopping.add_argument("wav", type=Path)
    stopping.add_argument("after", type=float)
    stopping.set_defaults(scenario=interrupt)
    return root


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(parser().parse_args()))), flush=True)
    sys.exit(0)
