"""The speech gate on real Swedish speakers: it opens for speech, passes all of it, and ignores the rest."""

import dataclasses
from typing import List, Tuple

import numpy as np
import pytest

from voice.audio import pcm
from voice.vad.webrtc import Speech, SpeechEnded, SpeechGate, SpeechStarted

LEAD_S = 1.0  # digital silence around each clip: nothing in it may open the gate
HANGOVER_MS = 100  # webrtcvad goes on calling a few frames speech after a clip stops mid-word


def run_gate(gate: SpeechGate, audio: bytes) -> Tuple[List[Tuple[int, object]], bytes]:
    """Every event with the index of the frame that caused it, and all audio the gate let through."""
    events, passed = [], b""
    for index, frame in enumerate(pcm.frames(audio, gate.sample_rate, gate.frame_ms)):
        for event in gate.push(frame):
            events.append((index, event))
            if isinstance(event, (SpeechStarted, Speech)):
                passed += event.audio
    return events, passed


def loud_frames(audio: bytes, rate: int, frame_ms: int) -> List[int]:
    """Frames at a third of the clip's peak level: certainly speech, whatever the VAD thinks."""
    levels = [pcm.rms(frame) for frame in pcm.frames(audio, rate, frame_ms)]
    return [index for index, level in enumerate(levels) if level >= 0.3 * max(levels)]


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_each_swedish_speaker_is_one_stretch_of_speech_passed_whole(sv_clips, voice_settings, frame_ms):
    rate, vad = voice_settings.sample_rate, voice_settings.vad
    lead = round(LEAD_S * 1000 / frame_ms)
    trailing = vad.trailing_silence_ms // frame_ms
    for clip in sv_clips:
        speech = clip.pcm(rate)
        audio = clip.padded(rate, LEAD_S)
        events, passed = run_gate(SpeechGate(vad, rate, frame_ms), audio)
        (start, started), *_, (end, ended) = events
        assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded), clip.path.name
        assert [type(event) for _, event in events].count(SpeechStarted) == 1, clip.path.name
        loud = [lead + index for index in loud_frames(speech, rate, frame_ms)]
        clip_end = lead + len(speech) // pcm.frame_bytes(rate, frame_ms)
        assert lead < start <= loud[0] + vad.padding_ms // frame_ms, clip.path.name
        hangover = HANGOVER_MS // frame_ms
        assert loud[-1] + trailing <= end <= clip_end + hangover + trailing, clip.path.name
        first_passed = start - vad.padding_ms // frame_ms  # the padding comes from before the onset
        frame = pcm.frame_bytes(rate, frame_ms)
        assert passed == audio[first_passed * frame:(end + 1) * frame], clip.path.name


def test_speech_starts_with_the_padding_before_the_onset(sv_clips, voice_settings):
    rate, vad, frame_ms = voice_settings.sample_rate, voice_settings.vad, voice_settings.frame_ms
    events, _ = run_gate(SpeechGate(vad, rate, frame_ms), sv_clips[0].padded(rate, LEAD_S))
    started = events[0][1]
    assert len(started.audio) == (vad.padding_ms // frame_ms + 1) * voice_settings.frame_bytes


def test_two_sentences_with_a_pause_are_two_stretches(sv_clips, voice_settings):
    rate = voice_settings.sample_rate
    audio = sv_clips[0].padded(rate, LEAD_S) + sv_clips[1].padded(rate, LEAD_S)
    events, _ = run_gate(SpeechGate(voice_settings.vad, rate, voice_settings.frame_ms), audio)
    kinds = [type(event) for _, event in events if not isinstance(event, Speech)]
    assert kinds == [SpeechStarted, SpeechEnded, SpeechStarted, SpeechEnded]


def test_silence_gives_no_events_at_all(voice_settings):
    gate = SpeechGate(voice_settings.vad, voice_settings.sample_rate, voice_settings.frame_ms)
    assert run_gate(gate, pcm.silence(10_000, voice_settings.sample_rate)) == ([], b"")


@pytest.mark.parametrize("aggressiveness", [0, 1, 2, 3])
@pytest.mark.parametrize("level", [30, 300])  # about -60 and -40 dBFS: a quiet line's hiss
def test_low_white_noise_does_not_open_the_gate(voice_settings, aggressiveness, level):
    """webrtcvad calls the first frames of any new stream speech; the gate must not believe it."""
    rate = voice_settings.sample_rate
    vad = dataclasses.replace(voice_settings.vad, aggressiveness=aggressiveness)
    for seed in range(5):
        noise = np.random.default_rng(seed).normal(0, level, 10 * rate).astype("<i2").tobytes()
        events, _ = run_gate(SpeechGate(vad, rate, voice_settings.frame_ms), noise)
        assert events == [], f"seed {seed}"


def test_clicks_do_not_open_the_gate(voice_settings):
    rate, frame_ms = voice_settings.sample_rate, voice_settings.frame_ms
    rng = np.random.default_rng(0)
    click = rng.normal(0, 8000, voice_settings.frame_bytes // 2).clip(-32768, 32767).astype("<i2").tobytes()
    audio = (pcm.silence(500, rate) + click) * 10
    events, _ = run_gate(SpeechGate(voice_settings.vad, rate, frame_ms), audio)
    assert events == []


def test_frames_of_the_wrong_size_are_refused(voice_settings):
    gate = SpeechGate(voice_settings.vad, voice_settings.sample_rate, voice_settings.frame_ms)
    with pytest.raises(ValueError, match="640 bytes"):
        gate.push(bytes(600))


@pytest.mark.parametrize("rate, frame_ms", [(22050, 20), (16000, 25)])
def test_rates_and_frame_lengths_webrtcvad_cannot_take_are_refused(voice_settings, rate, frame_ms):
    with pytest.raises(ValueError, match="webrtcvad takes"):
        SpeechGate(voice_settings.vad, rate, frame_ms)
