"""Whole phone calls: a baresip softphone calls `kundesenter phone` through kamailio, the bot answers with Rasa.

Every peer is a real process on 127.0.0.1 (kamailio, two baresips, the gateway), started and stopped
by PID on free ports. The caller types a tracking number on the keypad and asks for a person with 0;
the gateway transfers the call (REFER) to the agent's phone, or, when that fails, offers a call-back
that lands in the desk's list.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Dict

import pytest

from tests.support import sip_peers
from tests.support.answers import said
from tests.support.desk import DeskUser, add_user
from voice.audio import pcm as pcm_audio

pytestmark = [pytest.mark.e2e, pytest.mark.phone]

CALLER = "91234567"  # the caller's SIP user is a Norwegian mobile number, so a call-back can reach it
ANSWER_S = 30


@pytest.fixture(scope="module")
def agent(assistant, supervisor) -> DeskUser:
    return DeskUser(assistant, add_user(assistant, "Per"))


@pytest.fixture
def gateway_for(assistant, kamailio, tmp_path: Path):
    """Starts `kundesenter phone` registered at this test's kamailio, transferring hand-overs to `agent_user`."""
    with contextlib.ExitStack() as stack:
        started = []

        def start(agent_user: str) -> Path:
            gateway = stack.enter_context(sip_peers.phone_gateway(assistant, kamailio, agent_user, tmp_path / "gateway"))
            started.append(gateway)
            return gateway.calls

        yield start
    for gateway in started:
        print(gateway.log_path.read_text()[-4000:])
        assert gateway.returncode == 0, "the gateway did not stop cleanly on SIGTERM"


def call_record(calls: Path) -> Dict:
    deadline = time.monotonic() + ANSWER_S
    while not list(calls.glob("*.json")):
        assert time.monotonic() < deadline, "the gateway wrote no call record"
        time.sleep(0.2)
    [path] = list(calls.glob("*.json"))
    return json.loads(path.read_text())


def test_a_caller_tracks_a_parcel_by_keypad_and_is_transferred_to_an_agent(
    kamailio, phones, gateway_for, voice_responses
):
    calls = gateway_for("agent")
    caller, agent_phone = phones(CALLER), phones("agent")

    async def story() -> None:
        await caller.connect()
        await agent_phone.connect()
        await caller.dial(kamailio.uri("bot"))
        await caller.next_event("CALL_ESTABLISHED", timeout=ANSWER_S)
        await asyncio.sleep(3)  # part of the greeting
        await caller.press("370701234500000017#")
        await asyncio.sleep(6)  # the answer, which the next key interrupts
        await caller.press("0")
        await agent_phone.next_event("CALL_ESTABLISHED", timeout=ANSWER_S)  # the agent's phone took the call
        await asyncio.sleep(1)
        await caller.hangup()
        await agent_phone.next_event("CALL_CLOSED", timeout=ANSWER_S)
        await caller.close()
        await agent_phone.close()

    asyncio.run(story())
    record = call_record(calls)
    assert record["heard"] == ["/greet", "370701234500000017", "/request_human"]
    assert any(said({"text": line}, voice_responses["utter_shipment_in_transit"]["nb"]) for line in record["said"])
    assert record["handed_over"] and record["transferred"] is True
    loud_s = 0.0
    for recording in caller.recordings.glob("*-dec.wav"):  # the call with the bot, then the one with the agent
        heard, rate = pcm_audio.read_wav(recording)
        loud_s += sum(0.02 for frame in pcm_audio.frames(heard, rate, 20) if pcm_audio.rms(frame) > 300)
    assert loud_s > 3  # at least three seconds of the bot's voice reached the caller's phone


def test_when_the_transfer_fails_the_caller_gets_a_call_back(kamailio, phones, gateway_for, agent):
    calls = gateway_for("nobody")  # no phone is registered as "nobody": kamailio answers 404
    caller = phones(CALLER)

    async def story() -> None:
        await caller.connect()
        await caller.dial(kamailio.uri("bot"))
        await caller.next_event("CALL_ESTABLISHED", timeout=ANSWER_S)
        await asyncio.sleep(2)
        await caller.press("0")
        # "1" until the bot hangs up: before the call-back offer the key only waits in the number buffer
        closed = asyncio.ensure_future(caller.next_event("CALL_CLOSED", timeout=ANSWER_S * 2))
        while not closed.done():
            await caller.press("1")
            await asyncio.wait([closed], timeout=3)
        await closed  # the bot thanked and hung up
        await caller.close()

    asyncio.run(story())
    record = call_record(calls)
    assert record["transferred"] is False and record["callback_left"] is True
    callbacks = agent.get("/api/queue").json()["callbacks"]
    assert [c["contact"] for c in callbacks if c["sender_id"] == record["call_id"]] == [f"+47{CALLER}"]
    assert all(item["sender_id"] != record["call_id"] for item in agent.waiting())  # the hand-off was withdrawn
