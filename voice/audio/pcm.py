"""16-bit signed little-endian mono PCM as plain `bytes`: the one audio format inside the pipeline.

Keeping audio as `bytes` (not arrays) lets it flow unchanged between transports, webrtcvad and
Vosk, which all take raw PCM; numpy is used only inside the helpers that do arithmetic.
"""

from __future__ import annotations

import wave
from math import gcd
from pathlib import Path
from typing import Iterator, Tuple

import numpy as np
from scipy.signal import resample_poly

SAMPLE = np.dtype("<i2")  # the format itself, not a setting: every engine here takes exactly this


def validate(pcm: bytes) -> None:
    """Refuse a torn sample early: an odd length means the caller mixed up bytes and samples."""
    if len(pcm) % SAMPLE.itemsize:
        raise ValueError(
            f"PCM must be whole 16-bit samples (an even number of bytes), got {len(pcm)} bytes"
        )


def _samples(pcm: bytes) -> np.ndarray:
    validate(pcm)
    return np.frombuffer(pcm, dtype=SAMPLE)


def _to_pcm(samples: np.ndarray) -> bytes:
    """Round and clip, because filtering can overshoot full scale and must not wrap around."""
    info = np.iinfo(SAMPLE)
    return np.clip(np.rint(samples), info.min, info.max).astype(SAMPLE).tobytes()


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Polyphase resampling keeps speech intelligible for the recogniser at phone-line ratios.

    The rates are reduced by their gcd so 22 050 -> 16 000 is 320/441, not 16000/22050.
    """
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} -> {to_rate}")
    samples = _samples(pcm)
    if from_rate == to_rate or not samples.size:
        return pcm
    common = gcd(from_rate, to_rate)
    return _to_pcm(resample_poly(samples.astype(np.float64), to_rate // common, from_rate // common))


def read_wav(path: Path) -> Tuple[bytes, int]:
    """Test clips and espeak output arrive as WAV files; the pipeline wants mono, so channels are averaged."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != SAMPLE.itemsize:
            raise ValueError(f"{path}: only 16-bit WAV is supported, got {8 * wav.getsampwidth()}-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if channels == 1:
        return raw, rate
    interleaved = _samples(raw).reshape(-1, channels)
    return _to_pcm(interleaved.mean(axis=1)), rate


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    validate(pcm)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE.itemsize)
        wav.setframerate(rate)
        wav.writeframes(pcm)


def frame_bytes(rate: int, ms: int) -> int:
    return rate * ms // 1000 * SAMPLE.itemsize


def frames(pcm: bytes, rate: int, ms: int) -> Iterator[bytes]:
    """The VAD only takes whole frames, so the tail is padded with silence rather than dropped."""
    validate(pcm)
    size = frame_bytes(rate, ms)
    for start in range(0, len(pcm), size):
        yield pcm[start:start + size].ljust(size, b"\0")


def rms(pcm: bytes) -> float:
    samples = _samples(pcm)
    if not samples.size:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def silence(ms: int, rate: int) -> bytes:
    return bytes(frame_bytes(rate, ms))


def duration_s(pcm: bytes, rate: int) -> float:
    validate(pcm)
    return len(pcm) / SAMPLE.itemsize / rate
