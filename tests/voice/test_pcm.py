"""PCM helpers: resampling must keep pitch, length and loudness, or the recogniser hears another voice."""

import wave

import numpy as np
import pytest

from voice.audio import pcm


def sine(frequency: float, rate: int, seconds: float, amplitude: float = 10000) -> bytes:
    t = np.arange(round(rate * seconds)) / rate
    return np.rint(amplitude * np.sin(2 * np.pi * frequency * t)).astype("<i2").tobytes()


def samples(audio: bytes) -> np.ndarray:
    return np.frombuffer(audio, dtype="<i2").astype(np.float64)


def peak_frequency(audio: bytes, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples(audio) * np.hanning(len(audio) // 2)))
    return float(np.fft.rfftfreq(len(audio) // 2, 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("from_rate, to_rate, frequency", [
    (48000, 16000, 1000),  # the Common Voice clips into the pipeline
    (16000, 8000, 1000),  # the pipeline out to a phone line
    (22050, 16000, 440),  # espeak's output into the pipeline
    (8000, 16000, 700),  # a phone line into the pipeline
])
def test_resampling_keeps_duration_pitch_and_loudness(from_rate, to_rate, frequency):
    tone = sine(frequency, from_rate, seconds=1.5)
    resampled = pcm.resample(tone, from_rate, to_rate)
    assert abs(pcm.duration_s(resampled, to_rate) - pcm.duration_s(tone, from_rate)) <= 1 / to_rate
    assert peak_frequency(resampled, to_rate) == pytest.approx(frequency, abs=2)
    assert pcm.rms(resampled) == pytest.approx(pcm.rms(tone), rel=0.02)


def test_resampling_removes_what_the_lower_rate_cannot_carry():
    """A 6 kHz tone cannot exist at 8 kHz; without the anti-alias filter it would come back as 2 kHz."""
    resampled = pcm.resample(sine(6000, 16000, seconds=1), 16000, 8000)
    assert pcm.rms(resampled) < 0.05 * pcm.rms(sine(6000, 16000, seconds=1))


def test_full_scale_audio_is_clipped_not_wrapped_round():
    """A filtered full-scale square overshoots; wrapped samples would turn into loud clicks."""
    rate = 48000
    square = np.where(np.sin(2 * np.pi * 500 * np.arange(rate) / rate) >= 0, 32767, -32768).astype("<i2")
    resampled = samples(pcm.resample(square.tobytes(), rate, 16000))
    assert resampled.max() == 32767 and resampled.min() == -32768  # the overshoot hit the rails
    original = square[::3].astype(np.float64)
    assert np.mean(np.sign(resampled) == np.sign(original)) > 0.9


def test_same_rate_is_untouched():
    tone = sine(440, 16000, seconds=0.1)
    assert pcm.resample(tone, 16000, 16000) == tone


def test_a_torn_sample_is_refused():
    with pytest.raises(ValueError, match="whole 16-bit samples"):
        pcm.resample(b"\x01\x02\x03", 48000, 16000)


def test_a_real_clip_reads_as_48_khz_mono(sv_clips):
    audio, rate = pcm.read_wav(sv_clips[0].path)
    with wave.open(str(sv_clips[0].path)) as wav:
        assert (rate, len(audio)) == (48000, wav.getnframes() * 2)
    assert pcm.rms(audio) > 100  # speech, not silence


def test_stereo_is_mixed_down_to_mono(tmp_path):
    left, right = np.full(800, 1000, "<i2"), np.full(800, 3000, "<i2")
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(np.column_stack([left, right]).tobytes())
    audio, rate = pcm.read_wav(path)
    assert rate == 8000 and np.array_equal(samples(audio), np.full(800, 2000.0))


def test_8_bit_wav_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "old.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes(800))
    with pytest.raises(ValueError, match="16-bit"):
        pcm.read_wav(path)


def test_written_wav_reads_back_the_same(tmp_path):
    tone = sine(440, 22050, seconds=0.3)
    pcm.write_wav(tmp_path / "tone.wav", tone, 22050)
    assert pcm.read_wav(tmp_path / "tone.wav") == (tone, 22050)


def test_frames_cover_everything_and_pad_the_last_with_silence():
    audio = sine(440, 16000, seconds=0.05)  # 2.5 frames of 20 ms
    cut = list(pcm.frames(audio, 16000, 20))
    assert [len(frame) for frame in cut] == [640, 640, 640]
    assert b"".join(cut)[:len(audio)] == audio and cut[-1][320:] == bytes(320)


def test_rms_of_a_sine_is_its_amplitude_over_root_two():
    assert pcm.rms(sine(440, 16000, seconds=1, amplitude=10000)) == pytest.approx(10000 / 2 ** 0.5, rel=0.001)


def test_silence_is_silent_and_as_long_as_asked():
    quiet = pcm.silence(250, 16000)
    assert pcm.duration_s(quiet, 16000) == 0.25 and pcm.rms(quiet) == 0.0
