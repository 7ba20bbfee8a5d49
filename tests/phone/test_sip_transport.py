"""The SIP line with real peers on 127.0.0.1: kamailio as the PBX, baresip as the callers and the agent's phone.

The bot's side is `SipUserAgent` in this process, answering with a handler written here: it plays
a known tone and keeps every frame and keypad digit it receives. Each test starts its own user
agent inside its own event loop (PJSIP runs in a new thread per start, which is what lets one
process start it again after a stop), so every test has fresh ports and a fresh registration.
Phones speak espeak-ng Norwegian (tests/phone/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass, field
from typing import AsyncIterator, Dict, List, Optional

import numpy as np
import pytest

from tests.support import sip_peers
from voice import settings as voice_settings
from voice.audio import pcm as pcm_audio
from voice.settings import SipSettings
from voice.transports.base import DtmfDigit, Transferable
from voice.transports.sip import SipCall, SipError, SipUserAgent

pytestmark = pytest.mark.phone

VOICE = voice_settings.default()
RATE = VOICE.sample_rate
TONE_S = 1.5
AUDIBLE_RMS = 300.0  # speech or tone on the line; G.711 silence decodes to (nearly) zero
WINDOW_MS = 20


def tone(seconds: float = TONE_S, rate: int = RATE, hz: float = 440.0) -> bytes:
    """The bot's prompt: a tone has an exact length, so what the phone recorded can be measured against it."""
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * hz * t) * 8000).astype("<i2").tobytes()


def audible_span_s(pcm: bytes, rate: int) -> float:
    """Seconds from the first to the last audible 20 ms window."""
    loud = [i for i, window in enumerate(pcm_audio.frames(pcm, rate, WINDOW_MS)) if pcm_audio.rms(window) > AUDIBLE_RMS]
    return (loud[-1] - loud[0] + 1) * WINDOW_MS / 1000 if loud else 0.0


@dataclass
class Answered:
    """One call as the bot's handler saw it."""

    call: SipCall
    frames: List[bytes] = field(default_factory=list)
    digits: List[str] = field(default_factory=list)
    played: Optional[bool] = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def audible_frames(self) -> int:
        return sum(pcm_audio.rms(frame) > AUDIBLE_RMS for frame in self.frames)


class Bot:
    """The handler: plays the tone once, keeps what it receives until the caller is gone."""

    def __init__(self, prompt: bytes, failing_caller: Optional[str] = None) -> None:
        self.prompt, self.failing_caller = prompt, failing_caller
        self.calls: Dict[str, Answered] = {}  # by caller
        self._arrived = asyncio.Event()

    async def __call__(self, call: SipCall) -> None:
        answered = self.calls[call.caller] = Answered(call)
        self._arrived.set()
        if call.caller == self.failing_caller:
            raise RuntimeError(f"the handler of {call.caller}'s call breaks")
        playing = asyncio.create_task(call.play(self.prompt))
        try:
            async for item in call.receive():
                if isinstance(item, DtmfDigit):
                    answered.digits.append(item.digit)
                else:
                    answered.frames.append(item)
            answered.played = await playing
        finally:
            answered.ended.set()

    async def call_from(self, caller: str, timeout: float = 10) -> Answered:
        async def arrival() -> Answered:
            while caller not in self.calls:
                self._arrived.clear()
                await self._arrived.wait()
            return self.calls[caller]

        return await asyncio.wait_for(arrival(), timeout)


@contextlib.asynccontextmanager
async def running(settings: SipSettings, bot: Bot) -> AsyncIterator[SipUserAgent]:
    agent = SipUserAgent(settings, bot, VOICE)
    await agent.start()
    try:
        yield agent
    finally:
        await agent.stop()


async def hang_up(phone: sip_peers.Phone, answered: "Answered") -> None:
    """The phone hangs up; the bot's side of the call has ended before the phone's control closes."""
    await phone.hangup()
    await asyncio.wait_for(answered.ended.wait(), 5)
    await phone.close()


async def call_bot(phone: sip_peers.Phone, kamailio: sip_peers.Kamailio) -> None:
    """Dials the bot through kamailio; the bot rings (180) before it answers (200), as a PBX expects."""
    await phone.connect()
    await phone.dial(kamailio.uri("bot"))
    await phone.next_event("CALL_RINGING")
    await phone.next_event("CALL_ESTABLISHED")


def test_bot_registers_answers_and_audio_flows_both_ways_until_the_caller_hangs_up(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone())

    async def scenario() -> Answered:
        async with running(sip_settings, bot) as agent:
            assert agent.registered
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            await asyncio.sleep(TONE_S + 2.0)
            await alice.hangup()
            await alice.next_event("CALL_CLOSED")
            await asyncio.wait_for(answered.ended.wait(), 5)
            await alice.close()
            return answered

    answered = asyncio.run(scenario())
    assert isinstance(answered.call, Transferable)
    assert (answered.call.caller, answered.call.dialled, answered.call.sample_rate) == ("alice", "bot", RATE)
    assert answered.played is True
    assert all(len(frame) == VOICE.frame_bytes for frame in answered.frames)
    assert answered.audible_frames() > 50, "the bot heard the phone's speech"
    heard, rate = alice.heard()
    assert abs(audible_span_s(heard, rate) - TONE_S) < 0.2, "the phone heard the bot's tone, whole"


def test_a_codec_this_pjsip_lacks_stops_start_with_the_setting_to_fix(sip_settings):
    async def scenario() -> None:
        async with running(dataclasses.replace(sip_settings, codecs=("NOPE",)), Bot(tone())):
            pass

    with pytest.raises(SipError, match=r"codec NOPE \(sip.codecs in voice/config.yml\)"):
        asyncio.run(scenario())


def test_a_call_after_a_finished_one_has_audio_both_ways_again(kamailio, phones, sip_settings):
    """The second call takes over the first one's media port (ports are reused, see voice/transports/sip.py)."""
    alice = phones("alice")
    bot = Bot(tone())

    async def scenario() -> List[Answered]:
        answered = []
        async with running(sip_settings, bot):
            for _ in range(2):
                await call_bot(alice, kamailio)
                answered.append(await bot.call_from("alice"))
                await asyncio.sleep(TONE_S + 1.0)
                await alice.hangup()
                await alice.next_event("CALL_CLOSED")
                await asyncio.wait_for(answered[-1].ended.wait(), 5)
                del bot.calls["alice"]
            await alice.close()
        return answered

    first, second = asyncio.run(scenario())
    assert first.call is not second.call
    assert second.played is True and second.audible_frames() > 50
    heard, rate = alice.heard()
    assert abs(audible_span_s(heard, rate) - TONE_S) < 0.2, "the second call's recording has the whole tone"


def test_keypad_digits_from_the_phone_arrive_in_order(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone())

    async def scenario() -> Answered:
        async with running(sip_settings, bot):
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            await alice.press("123#")
            await asyncio.sleep(0.5)
            await hang_up(alice, answered)
            return answered

    assert asyncio.run(scenario()).digits == ["1", "2", "3", "#"]


def test_hanging_up_from_the_bot_ends_the_phones_call_and_receive(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone(seconds=10))

    async def scenario() -> Answered:
        async with running(sip_settings, bot):
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            await asyncio.sleep(0.5)
            await answered.call.hangup()
            closed = await alice.next_event("CALL_CLOSED", 5)
            await asyncio.wait_for(answered.ended.wait(), 5)
            await alice.close()
            assert closed["peeruri"] == kamailio.uri("bot")
            return answered

    answered = asyncio.run(scenario())
    assert answered.played is False, "the prompt still playing was cut off by the hang-up"
    assert answered.call.ended


def test_a_call_over_sip_call_timeout_s_is_hung_up_by_the_bot(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone())
    timeout_s = 2.0

    async def scenario() -> float:
        async with running(dataclasses.replace(sip_settings, call_timeout_s=timeout_s), bot):
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            started = asyncio.get_running_loop().time()
            await alice.next_event("CALL_CLOSED", timeout_s + 5)
            await asyncio.wait_for(answered.ended.wait(), 5)
            await alice.close()
            return asyncio.get_running_loop().time() - started

    assert asyncio.run(scenario()) == pytest.approx(timeout_s, abs=0.75)


def test_interrupt_cuts_the_prompt_off_on_the_line_and_play_returns_false(kamailio, phones, sip_settings):
    """Barge-in: what is queued is dropped, so the phone hears the tone only until the interrupt."""
    alice = phones("alice")
    bot = Bot(tone(seconds=10))

    async def scenario() -> Answered:
        async with running(sip_settings, bot):
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            await asyncio.sleep(1.0)
            answered.call.interrupt()
            await asyncio.sleep(1.0)
            await hang_up(alice, answered)
            return answered

    answered = asyncio.run(scenario())
    assert answered.played is False
    heard, rate = alice.heard()
    assert 0.6 < audible_span_s(heard, rate) < 1.4, "about the second before the interrupt, not the whole tone"


def test_transfer_to_the_agents_phone_reaches_the_agent_and_frees_the_bots_line(kamailio, phones, sip_settings):
    alice, agent = phones("alice"), phones("agent")
    bot = Bot(tone())

    async def scenario() -> bool:
        async with running(sip_settings, bot):
            await agent.connect()
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            transferred = await answered.call.transfer(kamailio.uri("agent"))
            incoming = await agent.next_event("CALL_ESTABLISHED")
            await asyncio.wait_for(answered.ended.wait(), 5)
            assert incoming["peeruri"].startswith("sip:alice@"), incoming
            await alice.hangup()
            await agent.next_event("CALL_CLOSED")
            await alice.close()
            await agent.close()
            return transferred

    assert asyncio.run(scenario()) is True


def test_transfer_to_a_user_nobody_registered_fails_and_the_call_goes_on(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone())

    async def scenario() -> bool:
        async with running(sip_settings, bot):
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            transferred = await answered.call.transfer(kamailio.uri("nobody"))
            assert not answered.call.ended
            assert await answered.call.play(tone(0.2)) is True, "the line still works"
            await hang_up(alice, answered)
            return transferred

    assert asyncio.run(scenario()) is False


def test_three_calls_at_once_each_hear_the_bot_and_are_heard(kamailio, phones, sip_settings):
    callers = ["alice", "bob", "carol"]
    started = [phones(user) for user in callers]
    bot = Bot(tone())

    async def scenario() -> None:
        async with running(sip_settings, bot):
            await asyncio.gather(*(call_bot(phone, kamailio) for phone in started))
            await asyncio.sleep(TONE_S + 2.0)
            await asyncio.gather(*(phone.hangup() for phone in started))
            for user in callers:
                await asyncio.wait_for(bot.calls[user].ended.wait(), 5)
            await asyncio.gather(*(phone.close() for phone in started))

    asyncio.run(scenario())
    for phone in started:
        answered = bot.calls[phone.user]
        assert answered.played is True
        assert answered.audible_frames() > 50, f"the bot heard {phone.user}"
        heard, rate = phone.heard()
        assert abs(audible_span_s(heard, rate) - TONE_S) < 0.2, f"{phone.user} heard the whole tone"


def test_a_handler_that_raises_ends_only_its_own_call(kamailio, phones, sip_settings):
    alice, mallory = phones("alice"), phones("mallory")
    bot = Bot(tone(), failing_caller="mallory")

    async def scenario() -> Answered:
        async with running(sip_settings, bot):
            await call_bot(alice, kamailio)
            await call_bot(mallory, kamailio)
            await mallory.next_event("CALL_CLOSED", 5)
            await alice.press("42")
            await asyncio.sleep(TONE_S + 1.0)
            await alice.hangup()
            answered = bot.calls["alice"]
            await asyncio.wait_for(answered.ended.wait(), 5)
            await asyncio.gather(alice.close(), mallory.close())
            return answered

    answered = asyncio.run(scenario())
    assert bot.calls["mallory"].call.ended
    assert answered.played is True and answered.digits == ["4", "2"]
    heard, rate = alice.heard()
    assert abs(audible_span_s(heard, rate) - TONE_S) < 0.2


def test_stopping_the_user_agent_hangs_up_the_calls_in_progress(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone(seconds=10))

    async def scenario() -> Answered:
        async with running(sip_settings, bot) as agent:
            await call_bot(alice, kamailio)
            answered = await bot.call_from("alice")
            await agent.stop()
            await alice.next_event("CALL_CLOSED", 5)
            await alice.close()
            return answered

    answered = asyncio.run(scenario())
    assert answered.ended.is_set() and answered.played is False


def test_without_a_registrar_phones_call_the_bots_own_address(kamailio, phones, sip_settings):
    alice = phones("alice")
    bot = Bot(tone(0.5))
    direct = dataclasses.replace(sip_settings, registrar=None, listen_port=0)

    async def scenario() -> Optional[str]:
        async with running(direct, bot) as agent:
            assert not agent.registered
            await alice.connect()
            await alice.dial(agent.address)
            await alice.next_event("CALL_ESTABLISHED")
            answered = await bot.call_from("alice")
            await hang_up(alice, answered)
            return agent.address

    address = asyncio.run(scenario())
    assert address is not None and address.startswith(f"sip:bot@{sip_peers.HOST}:")


def test_the_sip_password_comes_from_the_environment_before_the_yaml(monkeypatch):
    monkeypatch.setenv("KUNDESENTER_SIP_PASSWORD", "from-the-environment")
    assert voice_settings.load_sip().password == "from-the-environment"
    monkeypatch.delenv("KUNDESENTER_SIP_PASSWORD")
    assert voice_settings.load_sip().password is None


def test_a_second_user_agent_in_the_process_is_refused_while_the_first_runs():
    direct = dataclasses.replace(voice_settings.load_sip(), listen_host=sip_peers.HOST, listen_port=0, registrar=None)

    async def scenario() -> None:
        async with running(direct, Bot(tone())):
            with pytest.raises(SipError, match="one at a time"):
                await SipUserAgent(direct, Bot(tone())).start()
        async with running(direct, Bot(tone())) as again:
            assert again.address is not None, "after a stop, a new one starts"

    asyncio.run(scenario())
