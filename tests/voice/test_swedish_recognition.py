"""Swedish transcripts from a Swedish model, whenever one is configured (`kundesenter models download sv`).

CI has no Swedish model (300 MB, and nothing may be downloaded at test time), so these tests skip
there with the reason; on a machine with the model they check what callers actually get.
"""

from __future__ import annotations

import asyncio
from typing import List

import pytest

from voice.asr.vosk import VoskModels
from voice.spoken import entities

MAX_WORD_ERROR_RATE = 0.35  # the small model on read Common Voice sentences; a regression shows far above


@pytest.fixture(scope="module")
def swedish(voice_settings) -> VoskModels:
    models = VoskModels(voice_settings)
    if not models.has("sv"):
        pytest.skip(
            f"no Swedish Vosk model at {voice_settings.models.get('sv')}: run `kundesenter models download sv` "
            "or set KUNDESENTER_VOSK_MODEL_SV to test Swedish transcripts"
        )
    return models


def word_error_rate(reference: List[str], hypothesis: List[str]) -> float:
    distances = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, start=1):
        previous, distances[0] = distances[0], i
        for j, heard in enumerate(hypothesis, start=1):
            previous, distances[j] = distances[j], min(distances[j] + 1, distances[j - 1] + 1, previous + (word != heard))
    return distances[-1] / max(len(reference), 1)


def transcribe(models: VoskModels, pcm: bytes, rate: int, frame_bytes: int) -> str:
    async def run() -> str:
        stream = await models.stream("sv", rate)
        finals = []
        for start in range(0, len(pcm), frame_bytes):
            result = await stream.accept(pcm[start : start + frame_bytes])
            if result is not None and result.final:
                finals.append(result.text)
        finals.append((await stream.finish()).text)
        return " ".join(text for text in finals if text)

    return asyncio.run(run())


def normalised(text: str) -> List[str]:
    return [word.strip(".,!?;:\"'").lower() for word in text.split() if word.strip(".,!?;:\"'")]


def test_common_voice_sentences_are_transcribed(swedish, sv_clips, voice_settings):
    rates = []
    for clip in sv_clips:
        heard = transcribe(swedish, clip.pcm(voice_settings.sample_rate), voice_settings.sample_rate, voice_settings.frame_bytes)
        rates.append(word_error_rate(normalised(clip.transcript), normalised(heard)))
    assert sum(rates) / len(rates) < MAX_WORD_ERROR_RATE, rates


def test_a_tracking_number_spelt_by_espeak_is_understood(swedish, voice_settings, tmp_path):
    from tests.support.speech import espeak_speech

    audio = espeak_speech("R R sju två noll fem noll fem fyra fyra nio S E", "sv", tmp_path, voice_settings.sample_rate)
    heard = transcribe(swedish, audio, voice_settings.sample_rate, voice_settings.frame_bytes)
    assert entities.tracking_number(heard, "sv") == "RR720505449SE", heard
