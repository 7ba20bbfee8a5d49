"""A call from a cloud phone number: Twilio's media-stream protocol into the phone gateway and the real Rasa.

The client (tests/support/twilio_client.py) speaks Twilio's JSON events over a real WebSocket; the
gateway answers with the real synthesiser and records the call in its call log.
"""

from __future__ import annotations

import asyncio
import audioop
import dataclasses
import json
import socket
from typing import Awaitable, Callable, Dict

import pytest
from aiohttp import web

from tests.support.answers import said
from tests.support.speech import espeak_speech
from tests.support.twilio_client import TwilioCaller, wait_until
from voice import settings as voice_settings
from voice import texts
from voice.gateway import PhoneGateway
from voice.transports.twilio import media_stream_handler

pytestmark = [pytest.mark.e2e, pytest.mark.phone]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def call_on_twilio(
    gateway: PhoneGateway, voice, parameters: Dict[str, str], script: Callable[[TwilioCaller], Awaitable[None]]
) -> TwilioCaller:
    """One call from a Twilio client into `gateway` over a real WebSocket; `script` is what the caller does."""

    async def answer(stream) -> None:
        await gateway.answer(stream, stream.parameters.get("caller"), language=stream.parameters.get("language"))

    app = web.Application()
    app.router.add_get("/media-stream", media_stream_handler(answer, voice))
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with TwilioCaller(f"ws://127.0.0.1:{port}/media-stream", parameters) as caller:
            await caller.start()
            await script(caller)
            await caller.hang_up()
        return caller
    finally:
        await runner.cleanup()


def test_a_norwegian_caller_types_a_tracking_number_on_a_twilio_line(assistant, voice_responses, tmp_path):
    phone = dataclasses.replace(voice_settings.load_phone(), calls_dir=tmp_path / "calls")
    default = voice_settings.default()
    voice = dataclasses.replace(default, models={**default.models, "nb": None})  # no Norwegian model here
    gateway = PhoneGateway(voice, phone, assistant.rasa_url, assistant.desk_url)

    async def types(caller: TwilioCaller) -> None:
        await caller.silence(0.5)
        await wait_until(lambda: len(caller.marks_echoed) >= 2, timeout_s=60)  # greeting + keypad help
        await caller.press("370701234500000017#")
        await wait_until(lambda: len(caller.marks_echoed) >= 3, timeout_s=60)
        await caller.silence(0.5)

    try:
        caller = asyncio.run(call_on_twilio(gateway, voice, {"language": "nb", "caller": "+4791234567"}, types))
    finally:
        gateway.close()
    [log] = list((tmp_path / "calls").glob("*.json"))
    record = json.loads(log.read_text())
    assert record["language"] == "nb" and record["heard"] == ["/greet", "370701234500000017"]
    assert record["said"][:2] == [voice_responses["utter_greet"]["nb"]["text"], texts.text("keypad_only", "nb")]
    assert any(said({"text": line}, voice_responses["utter_shipment_in_transit"]["nb"]) for line in record["said"])
    heard = caller.heard()
    assert len(heard) / 2 / 8000 > 5 and audioop.rms(heard, 2) > 300  # the answers reached the phone as μ-law audio


def test_a_norwegian_caller_speaks_on_a_twilio_line_and_the_gateways_whisper_hears_the_turn(
    assistant, voice_responses, whisper_model_path, tmp_path
):
    """The gateway builds its recognisers from the settings: Whisper for nb (a random-weight model here)."""
    phone = dataclasses.replace(voice_settings.load_phone(), calls_dir=tmp_path / "calls")
    default = voice_settings.default()
    voice = dataclasses.replace(
        default, models={**default.models, "nb": whisper_model_path}, engines={**default.engines, "nb": "whisper"}
    )
    gateway = PhoneGateway(voice, phone, assistant.rasa_url, assistant.desk_url)
    question = espeak_speech("Hei, hvor er pakken min?", "nb", tmp_path, 8000)

    async def speaks(caller: TwilioCaller) -> None:
        await caller.silence(0.5)
        await wait_until(lambda: len(caller.marks_echoed) >= 1, timeout_s=60)  # the greeting, no keypad help
        await caller.say(question, 8000)
        await caller.silence(1.0)  # the turn ends
        await wait_until(lambda: len(caller.marks_echoed) >= 2, timeout_s=60)
        await caller.silence(0.5)

    try:
        asyncio.run(call_on_twilio(gateway, voice, {"language": "nb", "caller": "+4791234567"}, speaks))
    finally:
        gateway.close()
    [log] = list((tmp_path / "calls").glob("*.json"))
    record = json.loads(log.read_text())
    assert record["said"][0] == voice_responses["utter_greet"]["nb"]["text"]
    assert texts.text("keypad_only", "nb") not in record["said"]
    assert record["heard"] == ["/greet"]  # the random model's words were dropped as unsure: nothing sent to Rasa
    assert record["said"][1] == texts.text("no_match", "nb")  # and the caller was asked again at once
