"""The local-audio line heard and spoken through a real (virtual) sound card: a private PulseAudio server.

A Swedish caller's clip is played into the virtual microphone and must come out of `receive()` as
20 ms frames with the same loudness contour; the bot's speech played with `play()` must be
recorded on the speaker for its whole length, and barge-in must cut it within a block. Each
scenario runs `LocalAudio` in a subprocess (tests/support/local_audio_probe.py) because PortAudio
picks its devices when it is loaded, from that process's environment (tests/support/pulse.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import numpy as np
import pytest

from bot import project
from tests.support import pulse
from voice.audio import pcm

pytestmark = pytest.mark.audio

PROBE_TIMEOUT_S = 30
RATES = {"pipeline rate": [], "device rate": ["--refuse-pipeline-rate"]}  # 16 kHz, or the device's own + resampling
AUDIBLE_RMS = 30  # the null sinks are digitally silent when nothing plays: anything above this was played


@pytest.fixture(scope="module")
def pulseaudio(tmp_path_factory) -> Iterator[pulse.PrivatePulseAudio]:
    reason = pulse.missing_programs()
    if reason:
        pytest.skip(reason)
    with pulse.private_pulseaudio(tmp_path_factory.mktemp("pulse")) as server:
        yield server


@pytest.fixture(scope="module")
def caller_wav(short_clips, tmp_path_factory) -> Path:
    """The shortest Swedish clip at the pipeline's rate, so what was played and what was heard compare directly."""
    path = tmp_path_factory.mktemp("clip") / "caller.wav"
    pcm.write_wav(path, short_clips[0].pcm(16000), 16000)
    return path


def start_probe(environment: Dict[str, str], *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.support.local_audio_probe", *args]
    return subprocess.Popen(
        command, env=environment, cwd=project.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def report(probe: subprocess.Popen) -> Dict[str, Any]:
    stdout, stderr = probe.communicate(timeout=PROBE_TIMEOUT_S)
    assert probe.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def envelope(audio: bytes) -> np.ndarray:
    return np.array([pcm.rms(frame) for frame in pcm.frames(audio, 16000, 20)])


def delay(heard: np.ndarray, played: np.ndarray) -> int:
    """Frames until `played` starts in `heard`: where the loudness contours match best (the line adds a delay)."""
    assert len(heard) >= len(played), "recorded less than was played"
    scores = [np.corrcoef(heard[lag : lag + len(played)], played)[0, 1] for lag in range(len(heard) - len(played) + 1)]
    return int(np.nanargmax(scores))


def audible_seconds(contour: np.ndarray) -> float:
    loud = np.flatnonzero(contour > AUDIBLE_RMS)
    return 0.0 if not loud.size else (loud[-1] - loud[0] + 1) * 0.02


def assert_same_speech(heard: np.ndarray, played: np.ndarray) -> None:
    """Same contour and level where the clip is, digital silence around it."""
    start = delay(heard, played)
    match = heard[start : start + len(played)]
    assert np.corrcoef(match, played)[0, 1] > 0.9, "the loudness contour differs from the clip's"
    loud = played > np.percentile(played, 75)
    assert 0.7 < match[loud].mean() / played[loud].mean() < 1.4, "speech came through much louder or quieter"
    around = np.concatenate([heard[:start], heard[start + len(played) :]])
    assert around.max(initial=0) < AUDIBLE_RMS, "sound where the clip was silent"


@pytest.mark.parametrize("rates", RATES.values(), ids=RATES.keys())
def test_caller_speaking_into_the_microphone_arrives_as_20_ms_frames(
    pulseaudio, caller_wav, tmp_path, rates: List[str]
):
    played = pcm.read_wav(caller_wav)[0]
    seconds = pcm.duration_s(played, 16000) + 1.0
    probe = start_probe(pulseaudio.environment, *rates, "receive", str(seconds), str(tmp_path / "heard.raw"))
    assert probe.stdout.readline().strip() == "recording", probe.stderr.read()

    pulseaudio.play_into_microphone(caller_wav).wait(timeout=PROBE_TIMEOUT_S)
    result = report(probe)

    assert result["frame_sizes"] == [640] and result["sample_rate"] == 16000
    assert (result["input_rate"] == 16000) == (not rates)
    assert abs(result["frames"] - seconds * 50) < 0.1 * seconds * 50, "frames arrive in real time"
    heard = envelope((tmp_path / "heard.raw").read_bytes())
    assert_same_speech(heard, envelope(played))


@pytest.mark.parametrize("rates", RATES.values(), ids=RATES.keys())
def test_bot_speech_is_played_on_the_speaker_to_its_end(pulseaudio, caller_wav, tmp_path, rates: List[str]):
    played = pcm.read_wav(caller_wav)[0]

    with pulseaudio.recording_speaker(tmp_path / "speaker.raw", 16000) as recording:
        result = report(start_probe(pulseaudio.environment, *rates, "play", str(caller_wav)))

    assert result["completed"] is True
    assert (result["output_rate"] == 16000) == (not rates)
    assert result["seconds"] == pytest.approx(result["clip_seconds"], abs=0.3), (
        "play() returns when the clip has been heard"
    )
    heard = envelope(recording.audio())
    assert_same_speech(heard, envelope(played))
    assert audible_seconds(heard) == pytest.approx(audible_seconds(envelope(played)), abs=0.1)


def test_barge_in_stops_a_long_prompt_at_once(pulseaudio, caller_wav, tmp_path):
    clip = pcm.read_wav(caller_wav)[0]
    long_prompt = tmp_path / "long.wav"
    pcm.write_wav(long_prompt, clip * 4, 16000)

    with pulseaudio.recording_speaker(tmp_path / "speaker.raw", 16000) as recording:
        result = report(start_probe(pulseaudio.environment, "interrupt", str(long_prompt), "0.5"))

    assert result["completed"] is False
    assert result["stopped_after_s"] < 0.1
    assert audible_seconds(envelope(recording.audio())) < 1.0, "the rest of the prompt was not played"


def test_without_any_audio_device_the_error_says_what_to_check(tmp_path):
    result = report(start_probe(pulse.without_audio(tmp_path), "open"))

    assert result["error"] == "NoAudioDevice"
    assert result["devices"] == []
    message = result["message"]
    assert message.startswith("no microphone: PortAudio finds no input device on this machine")
    assert "kundesenter voice --list-devices" in message and "PulseAudio" in message and "ALSA" in message
