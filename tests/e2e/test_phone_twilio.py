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

import pytest
from aiohttp import web

from tests.support.answers import said
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


def test_a_norwegian_caller_types_a_tracking_number_on_a_twilio_line(assistant, voice_responses, tmp_path):
    phone = dataclasses.replace(voice_settings.load_phone(), calls_dir=tmp_path / "calls")
    voice = voice_settings.default()
    gateway = PhoneGateway(voice, phone, assistant.rasa_url, assistant.desk_url)

    async def story() -> TwilioCaller:
        async def answer(stream) -> None:
            await gateway.answer(stream, stream.parameters.get("caller"), language=stream.parameters.get("language"))

        app = web.Application()
        app.router.add_get("/media-stream", media_stream_handler(answer, voice))
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            url = f"ws://127.0.0.1:{port}/media-stream"
            async with TwilioCaller(url, {"language": "nb", "caller": "+4791234567"}) as caller:
                await caller.start()
                await caller.silence(0.5)
                await wait_until(lambda: len(caller.marks_echoed) >= 2, timeout_s=60)  # greeting + keypad help
                await caller.press("370701234500000017#")
                await wait_until(lambda: len(caller.marks_echoed) >= 3, timeout_s=60)
                await caller.silence(0.5)
                await caller.hang_up()
            return caller
        finally:
            await runner.cleanup()

    try:
        caller = asyncio.run(story())
    finally:
        gateway.close()
    [log] = list((tmp_path / "calls").glob("*.json"))
    record = json.loads(log.read_text())
    assert record["language"] == "nb" and record["heard"] == ["/greet", "370701234500000017"]
    assert record["said"][:2] == [voice_responses["utter_greet"]["nb"]["text"], texts.text("keypad_only", "nb")]
    assert any(said({"text": line}, voice_responses["utter_shipment_in_transit"]["nb"]) for line in record["said"])
    heard = caller.heard()
    assert len(heard) / 2 / 8000 > 5 and audioop.rms(heard, 2) > 300  # the answers reached the phone as μ-law audio
