"""A call over Twilio Media Streams: a real aiohttp server on 127.0.0.1 and a client speaking Twilio's JSON protocol.

The caller's audio is a Swedish Common Voice clip and the bot's prompts are espeak-ng speech, both
sent as μ-law at 8 kHz like a real phone line, at 8x real time.
"""

from __future__ import annotations

import asyncio
import audioop
import contextlib
import dataclasses
import time
from typing import AsyncIterator, Dict, List, Tuple

import aiohttp
import numpy as np
import pytest
from aiohttp import WSCloseCode, web

from tests.support.shared_files import shared
from tests.support.speech import espeak_speech
from tests.support.twilio_client import CHUNK_BYTES, LINE_RATE, MULAW, TwilioCaller, sign, wait_until
from voice import settings as voice_settings
from voice.audio import pcm as pcm_audio
from voice.transports.base import DtmfDigit
from voice.transports.twilio import OnCall, TwilioStream, media_stream_handler

pytestmark = pytest.mark.phone

VOICE = voice_settings.default()
RATE = VOICE.sample_rate
FRAME_BYTES = VOICE.frame_bytes
LINE = dataclasses.replace(voice_settings.load_twilio(), auth_token=None, start_timeout_s=1.0)
CLIPS = sorted((shared("audio") / "sv-common-voice").glob("*.wav"))
SPEED = 8.0
AUDIBLE_RMS = 300.0  # speech on a phone line; μ-law silence decodes to exactly 0


@pytest.fixture(scope="module")
def caller_speech() -> Tuple[bytes, int]:
    if not CLIPS:
        pytest.skip(f"no Swedish Common Voice clips in {shared('audio') / 'sv-common-voice'}")
    return pcm_audio.read_wav(CLIPS[1])


@pytest.fixture(scope="module")
def prompt(tmp_path_factory) -> bytes:
    """A few seconds of the bot speaking Swedish, at the pipeline's rate."""
    return espeak_speech("Hej, du har kommit till kundservice.", "sv", tmp_path_factory.mktemp("tts"), RATE, 0.1)


@pytest.fixture(scope="module")
def long_prompt(tmp_path_factory) -> bytes:
    text = (
        "Ditt paket är på väg och kommer fram i morgon. Du kan hämta det hos ditt utlämningsställe efter klockan tre."
    )
    return espeak_speech(text, "sv", tmp_path_factory.mktemp("tts"), RATE, 0.1)


@contextlib.asynccontextmanager
async def phone_line(on_call: OnCall, line: voice_settings.TwilioSettings = LINE) -> AsyncIterator[str]:
    """The media-stream endpoint on a free port of 127.0.0.1; yields the ws:// URL Twilio would dial."""
    app = web.Application()
    app.router.add_get(line.path, media_stream_handler(on_call, VOICE, line))
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=1.0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"ws://{host}:{port}{line.path}"
    finally:
        await runner.cleanup()


def collecting(streams: List[TwilioStream], items: Dict[str, list]) -> OnCall:
    """A bot that only listens: everything each stream delivers, until the caller hangs up."""

    async def on_call(stream: TwilioStream) -> None:
        streams.append(stream)
        items[stream.stream_sid] = [item async for item in stream.receive()]

    return on_call


def test_caller_speech_arrives_as_16khz_frames_with_the_call_parameters(caller_speech):
    speech, rate = caller_speech
    streams: List[TwilioStream] = []
    items: Dict[str, list] = {}

    async def main() -> TwilioCaller:
        async with (
            phone_line(collecting(streams, items)) as url,
            TwilioCaller(url, {"language": "sv", "caller": "+46701234567"}, speed=SPEED) as caller,
        ):
            await caller.start()
            await caller.say(speech, rate)
            await caller.hang_up()
        return caller

    caller = asyncio.run(main())

    (stream,) = streams
    assert (stream.stream_sid, stream.call_sid) == (caller.stream_sid, caller.call_sid)
    assert stream.parameters == {"language": "sv", "caller": "+46701234567"}
    frames = items[stream.stream_sid]
    assert all(isinstance(frame, bytes) and len(frame) == FRAME_BYTES for frame in frames)
    assert len(frames) == caller.chunks_sent  # 20 ms in, 20 ms out: nothing lost, nothing added
    heard = np.frombuffer(b"".join(frames), dtype="<i2").astype(int)
    assert pcm_audio.rms(b"".join(frames)) > AUDIBLE_RMS
    whole = pcm_audio.resample(audioop.ulaw2lin(bytes(caller.sent), 2), LINE_RATE, RATE)
    difference = np.abs(heard - np.frombuffer(whole, dtype="<i2")).max()
    assert difference <= 1, "resampled 20 ms at a time yet like one signal: no clicks at the chunk edges"


def test_keypad_digits_arrive_in_order_between_the_frames_around_them():
    streams: List[TwilioStream] = []
    items: Dict[str, list] = {}

    async def main() -> None:
        async with phone_line(collecting(streams, items)) as url, TwilioCaller(url, speed=SPEED) as caller:
            await caller.start()
            await caller.silence(0.2)
            await caller.press("4")
            await caller.silence(0.2)
            await caller.press("2#")
            await caller.silence(0.1)
            await caller.hang_up()

    asyncio.run(main())

    (delivered,) = items.values()
    digits = [(index, item.digit) for index, item in enumerate(delivered) if isinstance(item, DtmfDigit)]
    assert [digit for _, digit in digits] == ["4", "2", "#"]
    frames_before = [index - position for position, (index, _) in enumerate(digits)]
    # 10 chunks of 20 ms before "4" and 20 before "2#": at most one frame is still in the resampler
    assert frames_before[0] in (9, 10) and frames_before[1] in (19, 20) and frames_before[2] == frames_before[1]
    assert sum(isinstance(item, bytes) for item in delivered) == 25


def test_bot_prompt_reaches_the_caller_and_play_returns_true_once_twilio_echoes_the_mark(prompt):
    results: List[Tuple[bool, float]] = []

    async def speak(stream: TwilioStream) -> None:
        began = time.monotonic()
        results.append((await stream.play(prompt), time.monotonic() - began))
        async for _ in stream.receive():
            pass

    async def main() -> TwilioCaller:
        async with phone_line(speak) as url, TwilioCaller(url, speed=SPEED) as caller:
            await caller.start()
            await wait_until(lambda: results)
            await caller.hang_up()
        return caller

    caller = asyncio.run(main())

    ((played, waited_s),) = results
    assert played is True
    assert len(caller.marks_echoed) == 1 and caller.clears == 0
    assert caller.played == caller.received, "play() returned only after Twilio had played all of it"
    heard = caller.heard()
    assert len(caller.received) % CHUNK_BYTES == 0
    assert abs(pcm_audio.duration_s(heard, LINE_RATE) - pcm_audio.duration_s(prompt, RATE)) < 0.02
    assert pcm_audio.rms(heard) > AUDIBLE_RMS
    assert waited_s >= 0.9 * pcm_audio.duration_s(prompt, RATE) / SPEED, "play() waited for the mark, not the send"


def test_barge_in_clears_twilio_and_the_next_prompt_is_not_fooled_by_the_cleared_mark(prompt, long_prompt):
    results: List[Tuple[bool, float]] = []
    callers: List[TwilioCaller] = []

    async def speak_then_get_interrupted(stream: TwilioStream) -> None:
        speaking = asyncio.create_task(stream.play(long_prompt))
        await wait_until(lambda: len(callers[0].played) >= LINE_RATE)  # a second in, the caller talks over the bot
        stream.interrupt()
        results.append((await speaking, 0.0))
        began = time.monotonic()
        results.append((await stream.play(prompt), time.monotonic() - began))
        async for _ in stream.receive():
            pass

    async def main() -> TwilioCaller:
        async with phone_line(speak_then_get_interrupted) as url, TwilioCaller(url, speed=SPEED) as caller:
            callers.append(caller)
            await caller.start()
            await wait_until(lambda: len(results) == 2)
            await caller.hang_up()
        return caller

    caller = asyncio.run(main())

    (interrupted, _), (played, waited_s) = results
    assert interrupted is False and played is True
    assert caller.clears == 1
    assert len(caller.marks_echoed) == 2, "Twilio echoed the cleared prompt's mark too"
    long_s, short_s = (pcm_audio.duration_s(audio, RATE) for audio in (long_prompt, prompt))
    cut_at_s = len(caller.played) / LINE_RATE - short_s
    assert 1.0 <= cut_at_s < long_s - 2.0, "the long prompt stopped where the caller barged in"
    assert waited_s >= 0.9 * short_s / SPEED, "the stale mark did not end the next prompt early"


def test_hanging_up_ends_receive_and_a_pending_prompt(long_prompt):
    outcomes: Dict[str, Tuple[bool, int]] = {}

    async def speak_and_listen(stream: TwilioStream) -> None:
        speaking = asyncio.create_task(stream.play(long_prompt))
        frames = [item async for item in stream.receive()]
        outcomes[stream.parameters["how"]] = (await speaking, len(frames))

    async def main() -> Tuple[TwilioCaller, TwilioCaller]:
        async with phone_line(speak_and_listen) as url:
            async with TwilioCaller(url, {"how": "stop"}, speed=SPEED) as polite:
                await polite.start()
                await polite.silence(0.1)
                await polite.hang_up()
            async with TwilioCaller(url, {"how": "dropped"}, speed=SPEED) as dropped:
                await dropped.start()
                await dropped.silence(0.1)
            await wait_until(lambda: len(outcomes) == 2)
        return polite, dropped

    polite, _ = asyncio.run(main())

    assert outcomes == {"stop": (False, 5), "dropped": (False, 5)}
    assert polite.close_code == WSCloseCode.OK, "after stop the bot closes the stream normally"


def test_a_call_that_fails_ends_only_its_own_stream(prompt):
    played: List[bool] = []

    async def fragile(stream: TwilioStream) -> None:
        if stream.parameters["who"] == "unlucky":
            raise RuntimeError("the dialogue broke down")
        played.append(await stream.play(prompt))
        async for _ in stream.receive():
            pass

    async def main() -> TwilioCaller:
        async with phone_line(fragile) as url, TwilioCaller(url, {"who": "lucky"}, speed=SPEED) as lucky:
            await lucky.start()
            async with TwilioCaller(url, {"who": "unlucky"}) as unlucky:
                await unlucky.start()
                await asyncio.wait_for(unlucky.closed.wait(), timeout=5)
            await wait_until(lambda: played)
            await lucky.hang_up()
        return unlucky

    unlucky = asyncio.run(main())

    assert played == [True]
    assert unlucky.close_code == WSCloseCode.OK, "the failed call's line is hung up cleanly"


def test_protocol_violations_close_only_that_stream_with_the_reason(caller_speech):
    speech, rate = caller_speech
    streams: List[TwilioStream] = []
    items: Dict[str, list] = {}

    async def violate(url: str, how: str) -> TwilioCaller:
        async with TwilioCaller(url) as caller:
            if how == "bad json":
                await caller.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
                await caller.send('{"event": "start", "start": ')
            elif how == "media before start":
                await caller.media(b"\xff" * CHUNK_BYTES)
            elif how == "wrong format":
                await caller.start({**MULAW, "sampleRate": 16000})
            elif how == "no format":
                await caller.send({"event": "start", "sequenceNumber": "1", "start": {"streamSid": caller.stream_sid}})
            elif how == "too big":
                await caller.send("x" * (LINE.max_message_bytes + 1))
            await asyncio.wait_for(caller.closed.wait(), timeout=5)
        return caller

    async def main() -> Tuple[TwilioCaller, Dict[str, TwilioCaller]]:
        hows = ["bad json", "media before start", "wrong format", "no format", "too big", "never starts"]
        async with (
            phone_line(collecting(streams, items)) as url,
            TwilioCaller(url, {"who": "good"}, speed=SPEED) as good,
        ):
            await good.start()
            talking = asyncio.create_task(good.say(speech, rate))
            bad = await asyncio.gather(*(violate(url, how) for how in hows))
            await talking
            await good.hang_up()
        return good, dict(zip(hows, bad))

    good, bad = asyncio.run(main())

    closes = {how: (caller.close_code, caller.close_reason) for how, caller in bad.items()}
    assert closes["bad json"][0] == WSCloseCode.PROTOCOL_ERROR and "JSON" in closes["bad json"][1]
    assert closes["media before start"] == (WSCloseCode.PROTOCOL_ERROR, "'media' message before start")
    assert closes["wrong format"][0] == WSCloseCode.UNSUPPORTED_DATA and "16000" in closes["wrong format"][1]
    assert closes["no format"][0] == WSCloseCode.UNSUPPORTED_DATA
    assert closes["too big"][0] == WSCloseCode.MESSAGE_TOO_BIG
    assert closes["never starts"] == (WSCloseCode.POLICY_VIOLATION, "no start message within 1 s")
    assert [stream.parameters for stream in streams] == [{"who": "good"}], "no bad stream reached the bot"
    assert len(items[good.stream_sid]) == good.chunks_sent, "the good call heard every frame meanwhile"


def test_malformed_messages_mid_call_are_skipped_and_the_call_goes_on():
    streams: List[TwilioStream] = []
    items: Dict[str, list] = {}
    junk = [
        "not json",
        "[1, 2]",
        b"\x00\x01 binary",
        {"event": "media", "media": {"payload": "@@ not base64 @@"}},
        {"event": "media"},
        {"event": "dtmf", "dtmf": {"digit": "Z"}},
        {"event": "mark", "mark": {}},
        {"event": "something-new"},
    ]

    async def main() -> TwilioCaller:
        async with phone_line(collecting(streams, items)) as url, TwilioCaller(url, speed=SPEED) as caller:
            await caller.start()
            await caller.silence(0.1)
            for message in junk:
                await caller.send(message)
            await caller.press("5")
            await caller.silence(0.1)
            await caller.hang_up()
        return caller

    caller = asyncio.run(main())

    delivered = items[caller.stream_sid]
    assert [item for item in delivered if isinstance(item, DtmfDigit)] == [DtmfDigit("5")]
    assert sum(isinstance(item, bytes) for item in delivered) == caller.chunks_sent == 10
    assert caller.close_code == WSCloseCode.OK


def test_with_an_auth_token_only_streams_signed_by_twilio_get_through():
    token = "test-auth-token-not-a-real-one"
    signed_line = dataclasses.replace(LINE, auth_token=token)
    streams: List[TwilioStream] = []
    items: Dict[str, list] = {}

    async def refused(url: str, headers: Dict[str, str]) -> int:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refusal:
            async with TwilioCaller(url, headers=headers):
                pass
        return refusal.value.status

    async def main() -> List[int]:
        async with phone_line(collecting(streams, items), signed_line) as url:
            async with TwilioCaller(url, {"signed": "yes"}, headers={"X-Twilio-Signature": sign(url, token)}) as good:
                await good.start()
                await good.hang_up()
            return [
                await refused(url, {"X-Twilio-Signature": sign(url, "another-token")}),
                await refused(url, {"X-Twilio-Signature": sign(url + "?caller=forged", token)}),
                await refused(url, {}),
            ]

    statuses = asyncio.run(main())

    assert [stream.parameters for stream in streams] == [{"signed": "yes"}]
    assert statuses == [403, 403, 403]


def test_five_calls_at_once_each_hear_their_own_prompt_and_reach_their_own_stream(caller_speech, prompt):
    speech, rate = caller_speech
    played: Dict[str, bool] = {}
    items: Dict[str, list] = {}

    async def converse(stream: TwilioStream) -> None:
        speaking = asyncio.create_task(stream.play(prompt))
        items[stream.parameters["caller"]] = [item async for item in stream.receive()]
        played[stream.parameters["caller"]] = await speaking

    async def call(url: str, number: str, key: str) -> TwilioCaller:
        async with TwilioCaller(url, {"caller": number}, speed=SPEED) as caller:
            await caller.start()
            await caller.say(speech, rate)
            await caller.press(key)
            await wait_until(lambda: caller.marks_echoed)
            await caller.hang_up()
        return caller

    async def main() -> List[TwilioCaller]:
        async with phone_line(converse) as url:
            return await asyncio.gather(*(call(url, f"+4670000000{key}", key) for key in "12345"))

    callers = asyncio.run(main())

    assert played == {caller.parameters["caller"]: True for caller in callers}
    for key, caller in zip("12345", callers):
        delivered = items[caller.parameters["caller"]]
        assert [item for item in delivered if isinstance(item, DtmfDigit)] == [DtmfDigit(key)]
        assert sum(isinstance(item, bytes) for item in delivered) == caller.chunks_sent
        assert abs(pcm_audio.duration_s(caller.heard(), LINE_RATE) - pcm_audio.duration_s(prompt, RATE)) < 0.02
        assert not caller.foreign_messages, "no stream's audio went to another call"
