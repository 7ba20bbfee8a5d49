"""The bot's answers spoken by real espeak-ng voices, rendered off the event loop and cached."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Iterator

import pytest

from voice.audio import pcm
from voice.settings import VoiceSettings
from voice.tts.base import Synthesizer, VoiceUnavailable
from voice.tts.espeak import EspeakSynthesizer

GREETING = {
    "nb": "Hei, du snakker med den digitale kundeservicen. Hva gjelder det?",
    "sv": "Hej, du pratar med den digitala kundtjänsten. Vad gäller det?",
}


@pytest.fixture(scope="module")
def synthesizer(voice_settings: VoiceSettings) -> Iterator[EspeakSynthesizer]:
    synthesizer = EspeakSynthesizer(voice_settings.tts)
    yield synthesizer
    synthesizer.close()


def say(synthesizer: Synthesizer, text: str, language: str, rate: int = 16000) -> bytes:
    return asyncio.run(synthesizer.synthesize(text, language, rate))


@pytest.mark.parametrize("rate", [8000, 16000])
@pytest.mark.parametrize("language", ["nb", "sv"])
def test_greeting_is_audible_speech_at_the_transports_rate(synthesizer, language, rate):
    audio = say(synthesizer, GREETING[language], language, rate)
    assert pcm.rms(audio) > 500
    assert 2.0 < pcm.duration_s(audio, rate) < 8.0  # ten words at 165 words per minute


def speech_seconds(audio: bytes, rate: int) -> float:
    """From the first to the last audible 10 ms: espeak's leading pause varies with what it said before."""
    audible = [n for n, frame in enumerate(pcm.frames(audio, rate, 10)) if pcm.rms(frame) > 100]
    return (audible[-1] - audible[0] + 1) / 100


def test_the_rate_changes_the_sampling_not_the_speech(synthesizer):
    text = "Pakken din er på vei."
    phone, pipeline = say(synthesizer, text, "nb", 8000), say(synthesizer, text, "nb", 16000)
    assert speech_seconds(pipeline, 16000) == pytest.approx(speech_seconds(phone, 8000), abs=0.05)


def test_norwegian_and_swedish_voices_differ(synthesizer):
    assert synthesizer.voice_for("nb") != synthesizer.voice_for("sv")
    text = "Takk for at du ringte."
    assert say(synthesizer, text, "nb") != say(synthesizer, text, "sv")


def test_twenty_callers_at_once_all_get_their_prompt(synthesizer):
    async def twenty() -> list:
        requests = [
            synthesizer.synthesize(f"Du er nummer {n} i køen.", "nb" if n % 2 else "sv", 8000 if n % 3 else 16000)
            for n in range(1, 21)
        ]
        return await asyncio.gather(*requests)

    before = synthesizer.renders
    prompts = asyncio.run(twenty())
    assert synthesizer.renders - before == 20
    assert all(pcm.rms(audio) > 500 for audio in prompts)


def test_a_repeated_prompt_is_rendered_once(synthesizer):
    before = synthesizer.renders
    first = say(synthesizer, "Er du fortsatt der?", "nb")
    again = say(synthesizer, "Er du fortsatt der?", "nb")
    assert synthesizer.renders - before == 1
    assert again == first
    say(synthesizer, "Er du fortsatt der?", "nb", 8000)  # another rate is another render
    assert synthesizer.renders - before == 2


def test_a_caller_barging_in_does_not_spoil_the_prompt_for_the_next(synthesizer):
    async def interrupted_then_asked_again() -> bytes:
        first = asyncio.ensure_future(synthesizer.synthesize("Et øyeblikk, jeg setter deg over.", "nb", 16000))
        await asyncio.sleep(0)
        first.cancel()
        return await synthesizer.synthesize("Et øyeblikk, jeg setter deg over.", "nb", 16000)

    assert pcm.rms(asyncio.run(interrupted_then_asked_again())) > 500


def test_the_event_loop_keeps_running_while_speech_renders(synthesizer):
    long_answer = " ".join(
        f"Sendingen kom til terminalen klokka {hour}:15 og blir levert i morgen mellom {hour} og {hour + 2}."
        for hour in range(8, 14)
    )

    async def render_while_ticking() -> int:
        ticks, done = 0, asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.002)

        ticking = asyncio.ensure_future(ticker())
        await synthesizer.synthesize(long_answer, "nb", 16000)
        done.set()
        await ticking
        return ticks

    started = time.perf_counter()
    ticks = asyncio.run(render_while_ticking())
    assert time.perf_counter() - started > 0.05, "the render was too quick to tell anything"
    assert ticks >= 10


def test_text_with_nothing_to_say_gives_no_audio(synthesizer):
    assert say(synthesizer, "👍", "sv") == b""


def test_a_language_without_a_voice_is_a_clear_error(synthesizer):
    with pytest.raises(VoiceUnavailable, match="'de'.*nb, sv.*tts.voices"):
        say(synthesizer, "Guten Tag", "de")


def test_a_voice_espeak_lacks_is_named_with_the_voices_it_has(voice_settings: VoiceSettings):
    settings = dataclasses.replace(voice_settings.tts, voices={"nb": "gmq/xx"})
    missing = EspeakSynthesizer(settings)
    try:
        with pytest.raises(VoiceUnavailable, match=r"no voice 'gmq/xx'.*available:.*gmq/sv"):
            say(missing, "Hei", "nb")
    finally:
        missing.close()


def test_the_cache_keeps_only_the_most_recent_prompts(voice_settings: VoiceSettings):
    small = EspeakSynthesizer(dataclasses.replace(voice_settings.tts, cache_size=1))
    try:
        for text in ("Hei.", "Ha det.", "Hei."):
            say(small, text, "nb")
        assert small.renders == 3
    finally:
        small.close()
