"""`kundesenter voice --local` as a user runs it: a call through the sound card, here a private PulseAudio.

No Swedish model is configured in the test, so the caller hears the greeting and the keypad
explanation; what reaches the speaker must be as long as that speech, and Ctrl-C must end the
call cleanly. tests/voice/test_local_audio.py covers the microphone side of the transport.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bot import project, secrets
from tests.support import pulse
from voice import settings as voice_settings
from voice import texts
from voice.audio import pcm
from voice.tts.espeak import EspeakSynthesizer

pytestmark = [pytest.mark.e2e, pytest.mark.audio]

AUDIBLE_RMS = 30  # the null sink is digitally silent when nothing plays
RATE = 16000


def audible_seconds(audio: bytes) -> float:
    return sum(0.02 for frame in pcm.frames(audio, RATE, 20) if pcm.rms(frame) > AUDIBLE_RMS)


def spoken_seconds(lines) -> float:
    synthesizer = EspeakSynthesizer(voice_settings.default().tts)
    try:
        return sum(audible_seconds(asyncio.run(synthesizer.synthesize(line, "sv", RATE))) for line in lines)
    finally:
        synthesizer.close()


def test_a_local_call_speaks_the_greeting_through_the_sound_card_and_ends_on_ctrl_c(
    assistant, voice_responses, tmp_path: Path
):
    reason = pulse.missing_programs()
    if reason:
        pytest.skip(reason)
    expected = spoken_seconds([voice_responses["utter_greet"]["sv"]["text"], texts.text("keypad_only", "sv")])
    with pulse.private_pulseaudio(tmp_path / "pulse") as server:
        environment = {
            **server.environment,
            secrets.variable(secrets.VOICE_GATEWAY_TOKEN): assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)],
            "KUNDESENTER_VOSK_MODEL_SV": "",  # keypad only, whatever this machine has installed
        }
        with server.recording_speaker(tmp_path / "speaker.raw", RATE) as recording:
            call = subprocess.Popen(
                [str(project.ROOT / ".venv/bin/kundesenter"), "voice", "--local", "--language", "sv",
                 "--rasa-url", assistant.rasa_url],
                env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            deadline = time.monotonic() + 90
            while audible_seconds(recording.audio()) < 0.9 * expected and time.monotonic() < deadline:
                assert call.poll() is None, call.communicate()
                time.sleep(0.5)
            call.send_signal(signal.SIGINT)
            stdout, stderr = call.communicate(timeout=30)

    assert call.returncode == 0, stderr
    assert "Traceback" not in stderr and "The call ended." in stdout
    assert 0.9 * expected <= audible_seconds(recording.audio()) <= 1.2 * expected
