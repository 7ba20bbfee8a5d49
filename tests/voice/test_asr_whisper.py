"""The Whisper-family recogniser on a real faster-whisper/CTranslate2 model with random weights (nothing downloaded).

The model's words are nonsense, so these tests check what the call relies on: the caller's language
is fixed, decoding never holds up the event loop, calls queue in a pool sized by the settings,
noise-like results are dropped, and a missing model says how to get one. Norwegian speech comes
from espeak-ng and passes the real speech gate and turn detector.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path
from typing import List, Tuple

import pytest

from tests.support.speech import espeak_speech
from voice.asr.base import ModelMissing, Recognition
from voice.asr.whisper import WhisperModels, WhisperStream
from voice.audio import pcm
from voice.settings import VoiceSettings
from voice.turn import CallerFinished, CallerStarted, TurnDetector
from voice.vad.webrtc import SpeechGate

RATE = 16000


def keeping_everything(settings: VoiceSettings, workers: int = 2) -> VoiceSettings:
    """Thresholds no result can fail, so the random model's nonsense reaches the call and its path can be followed."""
    whisper = dataclasses.replace(settings.whisper, workers=workers, no_speech_threshold=1.0, min_avg_logprob=-1e9)
    return dataclasses.replace(settings, whisper=whisper)


@pytest.fixture(scope="module")
def norwegian_question(tmp_path_factory) -> bytes:
    return espeak_speech("Hei, jeg lurer på hvor pakken min er.", "nb", tmp_path_factory.mktemp("speech"), RATE, 0.5)


@pytest.fixture
def models_of(whisper_model_path: Path):
    """`models_of(settings)`: Whisper models serving Norwegian from the micro model, closed after the test."""
    made: List[WhisperModels] = []

    def make(settings: VoiceSettings) -> WhisperModels:
        made.append(WhisperModels(settings, paths={"nb": whisper_model_path}))
        return made[-1]

    yield make
    for models in made:
        models.close()


async def say(stream: WhisperStream, audio: bytes) -> Recognition:
    for frame in pcm.frames(audio, RATE, 20):
        assert await stream.accept(frame) is None  # Whisper has no partials: the turn detector waits for the final
    return await stream.finish()


def test_a_norwegian_call_is_decoded_as_norwegian_whatever_it_sounds_like(
    voice_settings, models_of, norwegian_question
):
    models = models_of(keeping_everything(voice_settings))

    async def call() -> Tuple[WhisperStream, Recognition]:
        stream = await models.stream("nb")
        return stream, await say(stream, norwegian_question)

    stream, heard = asyncio.run(call())
    assert stream.language == "no"  # NB-Whisper's token, from asr.whisper.language_codes
    assert heard.final and heard.text  # nonsense words, but words
    assert stream.last is not None and stream.last.language == "no" and stream.last.dropped == ""


def test_line_noise_the_model_is_unsure_of_is_dropped_not_sent_to_the_bot(
    voice_settings, models_of, norwegian_question
):
    """The shipped thresholds: a random model is as unsure as a real one hearing noise (mean log-probability ~ -9)."""
    models = models_of(voice_settings)

    async def call() -> Tuple[WhisperStream, Recognition]:
        stream = await models.stream("nb")
        return stream, await say(stream, norwegian_question)

    stream, heard = asyncio.run(call())
    assert heard == Recognition("", final=True)
    assert stream.last is not None and stream.last.dropped  # decoded, then dropped


def test_eight_calls_queue_in_the_pool_and_the_event_loop_keeps_serving_meanwhile(
    voice_settings, models_of, norwegian_question
):
    models = models_of(keeping_everything(voice_settings, workers=2))

    async def calls() -> Tuple[List[Recognition], int]:
        streams = [await models.stream("nb") for _ in range(8)]
        for stream in streams:
            for frame in pcm.frames(norwegian_question, RATE, 20):
                await stream.accept(frame)
        decoding = asyncio.ensure_future(asyncio.gather(*(stream.finish() for stream in streams)))
        ticks = 0
        while not decoding.done():  # another call's audio would be handled here
            ticks += 1
            await asyncio.sleep(0.001)
        return decoding.result(), ticks

    finals, ticks = asyncio.run(calls())
    assert len(finals) == 8 and all(final.final and final.text for final in finals)
    assert ticks > 1, "the loop ran other work while eight utterances were decoded"
    decoders = [thread for thread in threading.enumerate() if thread.name.startswith("whisper-decode")]
    assert 1 <= len(decoders) <= models.workers == 2, "never more decodes at once than workers: the rest queued"


def test_a_reset_turn_leaves_nothing_for_the_next_and_an_ended_call_leaves_nothing_for_the_next_caller(
    voice_settings, models_of, norwegian_question
):
    models = models_of(keeping_everything(voice_settings))

    async def calls() -> Tuple[Recognition, Recognition, Recognition]:
        first = await models.stream("nb")
        await first.accept(norwegian_question[: len(norwegian_question) // 2])
        first.reset()  # the turn was abandoned
        after_reset = await first.finish()
        await first.accept(norwegian_question)
        first.close()  # the caller hung up mid-sentence
        second = await models.stream("nb")
        return after_reset, await second.finish(), await say(second, norwegian_question)

    after_reset, silent, spoken = asyncio.run(calls())
    assert after_reset == Recognition("", True) and silent == Recognition("", True)  # nothing decoded
    assert spoken.text  # the shared model still serves the next call


def test_one_model_per_language_is_shared_by_every_call(voice_settings, models_of):
    models = models_of(voice_settings)

    async def calls() -> List[WhisperStream]:
        return list(await asyncio.gather(*(models.stream("nb") for _ in range(4))))

    streams = asyncio.run(calls())
    assert len({id(stream._model) for stream in streams}) == 1


def test_a_missing_whisper_model_names_the_download_command(voice_settings, tmp_path, whisper_model_path):
    half = tmp_path / "nb-whisper-base"
    half.mkdir()
    (half / "model.bin").write_bytes((whisper_model_path / "model.bin").read_bytes())
    models = WhisperModels(voice_settings, paths={"nb": tmp_path / "absent", "sv": None, "da": half})
    try:
        assert not models.has("nb") and not models.has("sv") and models.has("da")
        with pytest.raises(ModelMissing) as missing:
            asyncio.run(models.stream("nb"))
        assert str(tmp_path / "absent") in str(missing.value)
        assert "kundesenter models download nb" in str(missing.value)
        assert "KUNDESENTER_WHISPER_MODEL_NB" in str(missing.value)
        with pytest.raises(ModelMissing, match="no Whisper model is configured for 'sv'"):
            asyncio.run(models.stream("sv"))
        with pytest.raises(ModelMissing, match="has no config.json, tokenizer.json, preprocessor_config.json"):
            asyncio.run(models.stream("da"))  # it would fetch OpenAI's tokenizer from the internet
    finally:
        models.close()


def test_a_norwegian_turn_through_the_real_gate_ends_with_one_decode(voice_settings, models_of, norwegian_question):
    """The turn detector feeds Whisper only the gated speech and gets the final when the caller stops."""
    models = models_of(keeping_everything(voice_settings))

    async def turn() -> List[object]:
        stream = await models.stream("nb")
        detector = TurnDetector(SpeechGate(voice_settings.vad, RATE, 20), stream, voice_settings.turn)
        detector.expect_input()
        events = []
        for frame in pcm.frames(norwegian_question + pcm.silence(1000, RATE), RATE, 20):
            event = await detector.push(frame)
            if event is not None:
                events.append(event)
        return events

    events = asyncio.run(turn())
    assert [type(event) for event in events] == [CallerStarted, CallerFinished]
    assert events[1].text  # the random model's words, sent on as the caller's turn


def test_a_real_norwegian_model_understands_a_norwegian_question(voice_settings, norwegian_question):
    """Accuracy needs a real model: runs only when `kundesenter models download nb` has installed one."""
    path = voice_settings.models_of("whisper").get("nb")
    if path is None or not (path / "model.bin").is_file():
        pytest.skip(f"no real Norwegian Whisper model at {path}: run `kundesenter models download nb`")
    models = WhisperModels(voice_settings)

    async def call() -> Recognition:
        return await say(await models.stream("nb"), norwegian_question)

    try:
        heard = asyncio.run(call())
    finally:
        models.close()
    assert "pakke" in heard.text.lower()


@pytest.mark.parametrize("seconds", [3, 12])
def test_a_shorter_window_decodes_what_fits_in_it_and_longer_turns_whole(
    voice_settings, models_of, norwegian_question, seconds
):
    """`window_s: 10` pads a short answer to 10 s instead of 30; a 12 s turn still gets the full window."""
    settings = keeping_everything(voice_settings)
    models = models_of(dataclasses.replace(settings, whisper=dataclasses.replace(settings.whisper, window_s=10)))
    turn = (norwegian_question * 4)[: seconds * RATE * 2]

    async def call() -> Tuple[WhisperStream, Recognition]:
        stream = await models.stream("nb")
        return stream, await say(stream, turn)

    stream, heard = asyncio.run(call())
    assert heard.final and heard.text and stream.last is not None and stream.last.language == "no"
