"""The Vosk recogniser with a real (Korean) model on real speech: behaviour, never transcripts."""

import asyncio
import itertools
import time
from typing import List, Tuple

import pytest
import vosk

from voice.asr.base import Recognition
from voice.asr.vosk import ModelMissing, VoskModels, VoskStream
from voice.audio import pcm


async def listen(stream: VoskStream, frames) -> Tuple[List[Tuple[int, Recognition]], Recognition]:
    """What a call would see: every recognition with the index of its frame, then the forced final."""
    heard = []
    for index, frame in enumerate(frames):
        recognition = await stream.accept(frame)
        if recognition is not None:
            heard.append((index, recognition))
    return heard, await stream.finish()


def final_text(heard: List[Tuple[int, Recognition]], last: Recognition) -> str:
    return " ".join(r.text for _, r in heard if r.final) + " " + last.text


def test_partials_come_while_the_caller_speaks_and_a_final_at_the_end(korean_models, short_clips, frames_of):
    audio = short_clips[0].padded(16000, 0.5)

    async def main():
        return await listen(await korean_models.stream("ko"), list(frames_of(audio)))

    heard, last = asyncio.run(main())
    frames = len(list(frames_of(audio)))
    partials = [(index, r) for index, r in heard if not r.final]
    assert len(partials) >= 2 and partials[0][0] < frames * 0.75  # progress shows well before the end
    texts = [r.text for _, r in partials]
    assert all(texts) and all(a != b for a, b in itertools.pairwise(texts))  # only changes are reported
    assert last.final and final_text(heard, last).strip()


def test_calls_share_the_model_and_do_not_hear_each_other(korean_models, short_clips):
    """Vosk's output varies a little between recognisers even on the same audio, so independence is
    shown with a silent caller decoded alongside two speaking ones: it must hear nothing."""
    first, second = (clip.padded(16000, 0.5) for clip in short_clips[:2])
    quiet = pcm.silence(round(pcm.duration_s(first, 16000) * 1000), 16000)

    async def main():
        streams = await asyncio.gather(*(korean_models.stream("ko") for _ in range(3)))
        assert streams[0].model is streams[1].model is streams[2].model
        calls = zip(streams, (first, quiet, second), strict=True)
        return await asyncio.gather(*(listen(stream, list(pcm.frames(audio, 16000, 100))) for stream, audio in calls))

    speaking, silent, also_speaking = asyncio.run(main())
    assert final_text(*speaking).strip() and final_text(*also_speaking).strip()
    assert silent == ([], Recognition("", final=True))


def test_a_model_is_loaded_once_when_calls_arrive_together(voice_settings, korean_model_path, monkeypatch):
    loads = []

    def counting_model(path: str) -> vosk.Model:
        loads.append(path)
        return original(path)

    original = vosk.Model
    monkeypatch.setattr(vosk, "Model", counting_model)
    models = VoskModels(voice_settings, paths={"ko": korean_model_path})

    async def main():
        return await asyncio.gather(*(models.stream("ko") for _ in range(3)))

    streams = asyncio.run(main())
    assert loads == [str(korean_model_path)]
    assert streams[0].model is streams[1].model is streams[2].model


def test_decoding_does_not_block_the_event_loop(korean_models, short_clips):
    audio = short_clips[0].pcm(16000)

    async def main():
        stream = await korean_models.stream("ko")
        ticks = 0

        async def heartbeat():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        beating = asyncio.create_task(heartbeat())
        started = time.monotonic()
        await stream.accept(audio)  # seconds of speech in one go: a long decode
        elapsed = time.monotonic() - started
        beating.cancel()
        return ticks, elapsed

    ticks, elapsed = asyncio.run(main())
    assert elapsed > 0.1 and ticks >= elapsed / 0.005 * 0.3


def test_a_grammar_keeps_the_recogniser_to_its_phrases(korean_models, short_clips):
    phrases = ["네", "아니요", "하나", "둘"]

    async def main():
        stream = await korean_models.stream("ko", phrases=phrases)
        heard, last = await listen(stream, [short_clips[0].padded(16000, 0.5)])
        return final_text(heard, last).split()

    words = asyncio.run(main())
    assert words and set(words) <= set(phrases)


def test_reset_forgets_what_was_heard(korean_models, short_clips):
    audio = short_clips[0].pcm(16000)

    async def main():
        stream = await korean_models.stream("ko")
        await stream.accept(audio[:len(audio) // 2])
        stream.reset()
        return await stream.finish()

    assert asyncio.run(main()) == Recognition("", final=True)


def test_a_torn_sample_is_refused(korean_models):
    async def main():
        await (await korean_models.stream("ko")).accept(b"\x00\x01\x02")

    with pytest.raises(ValueError, match="whole 16-bit samples"):
        asyncio.run(main())


def test_a_model_that_is_not_there_says_where_and_how_to_get_it(voice_settings, tmp_path):
    missing = tmp_path / "vosk-model-small-sv"
    models = VoskModels(voice_settings, paths={"sv": missing, "nb": None})
    assert not models.has("sv") and not models.has("nb") and not models.has("da")
    with pytest.raises(ModelMissing) as error:
        asyncio.run(models.stream("sv"))
    assert str(missing) in str(error.value) and "kundesenter models download sv" in str(error.value)
    with pytest.raises(ModelMissing, match="no Vosk model is configured for 'nb'"):
        asyncio.run(models.stream("nb"))


def test_a_directory_that_is_not_a_model_is_reported_as_missing(voice_settings, tmp_path):
    models = VoskModels(voice_settings, paths={"sv": tmp_path})
    assert models.has("sv")  # it exists, so only loading can tell
    with pytest.raises(ModelMissing, match="could not be loaded"):
        asyncio.run(models.stream("sv"))


def test_the_configured_languages_come_from_the_settings(voice_settings):
    models = VoskModels(voice_settings)
    assert models.has("nb") is False  # config.yml: no Norwegian model
    sv = voice_settings.models["sv"]
    assert models.has("sv") == (sv is not None and sv.is_dir())


def test_an_ended_call_hands_its_recogniser_to_the_next_call_clean(korean_models, short_clips):
    """Reused recognisers decode faster (the benchmark shows it); reuse must not carry one caller's words to the next."""
    clip = short_clips[0].pcm(16000)

    async def calls() -> Tuple[object, object, object, str]:
        first = await korean_models.stream("ko")
        await first.accept(clip[: len(clip) // 2])  # the caller hangs up mid-sentence
        used = first._recognizer
        first.close()
        second = await korean_models.stream("ko")
        grammar = await korean_models.stream("ko", phrases=["네", "아니요"])  # a grammar gets its own
        silent = await second.finish()
        return used, second._recognizer, grammar._recognizer, silent.text

    used, reused, own, heard = asyncio.run(calls())
    assert reused is used and own is not used
    assert heard == ""  # nothing of the first caller's half sentence
