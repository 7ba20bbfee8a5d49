"""`kundesenter phone`: the phone gateway as a service, answering a SIP line and Twilio media streams.

Both kinds of line end in the same `PhoneGateway.answer`, so a caller gets the same bot whichever
way the call arrives. The service runs until SIGINT or SIGTERM and then hangs up cleanly.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass
from typing import Optional

from aiohttp import web

from voice import settings as voice_settings
from voice.gateway import PhoneGateway
from voice.transports.sip import SipCall, SipUserAgent
from voice.transports.twilio import TwilioStream, media_stream_handler

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoints:
    sip: Optional[str]
    media_stream: Optional[str]


class PhoneService:
    def __init__(
        self,
        rasa_url: str,
        desk_url: str,
        sip: Optional[voice_settings.SipSettings] = None,
        phone: Optional[voice_settings.PhoneSettings] = None,
    ) -> None:
        """`sip` and `phone` replace config.yml's sections (the command line's overrides, tests' free ports)."""
        self.voice = voice_settings.default()
        self.phone = phone or voice_settings.load_phone()
        self.sip = sip or voice_settings.load_sip()
        self.twilio = voice_settings.load_twilio()
        self.gateway = PhoneGateway(self.voice, self.phone, rasa_url, desk_url)
        self._agent: Optional[SipUserAgent] = None
        self._runner: Optional[web.AppRunner] = None

    async def start(self) -> Endpoints:
        sip_uri = media_url = None
        if self.sip.listen_port >= 0:
            self._agent = SipUserAgent(self.sip, self._answer_sip)
            await self._agent.start()
            sip_uri = self._agent.address
        if self.phone.twilio_port > 0:
            app = web.Application()
            app.router.add_get(self.twilio.path, media_stream_handler(self._answer_stream, self.voice, self.twilio))
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.phone.twilio_port).start()
            media_url = f"ws://127.0.0.1:{self.phone.twilio_port}{self.twilio.path}"
        return Endpoints(sip_uri, media_url)

    async def _answer_sip(self, call: SipCall) -> None:
        await self.gateway.answer(call, call.caller, call.dialled)

    async def _answer_stream(self, stream: TwilioStream) -> None:
        await self.gateway.answer(stream, stream.parameters.get("caller"), language=stream.parameters.get("language"))

    async def stop(self) -> None:
        if self._agent is not None:
            await self._agent.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        self.gateway.close()

    async def serve(self) -> None:
        endpoints = await self.start()
        if endpoints.sip:
            print(f"SIP: {endpoints.sip}", flush=True)
        if endpoints.media_stream:
            print(f"Twilio media stream: {endpoints.media_stream}", flush=True)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        try:
            await stopping.wait()
        finally:
            await self.stop()

