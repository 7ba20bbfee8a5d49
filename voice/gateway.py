"""The phone gateway: every call from a SIP line or a Twilio media stream becomes one `Call`.

The recogniser models and the synthesiser are shared by all calls (a model is hundreds of
megabytes; espeak is one engine per process); each call has its own Rasa conversation, named by
the call, and its own recogniser stream. A finished call is written to `calls_dir` as JSON, so
what a caller heard and pressed can be looked up after the line is gone.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Optional

import aiohttp

from bot import secrets
from voice.asr.base import Recognisers
from voice.asr.engines import EngineRecognisers
from voice.call import Call, CallRecord, TransferPlan
from voice.dialogue import RasaDialogue
from voice.settings import PhoneSettings, VoiceSettings
from voice.transports.base import Transport
from voice.tts.base import Synthesizer
from voice.tts.espeak import EspeakSynthesizer

logger = logging.getLogger(__name__)


class PhoneGateway:
    def __init__(
        self,
        settings: VoiceSettings,
        phone: PhoneSettings,
        rasa_url: str,
        desk_url: str,
        recognisers: Optional[Recognisers] = None,
        synthesizer: Optional[Synthesizer] = None,
    ) -> None:
        self.settings, self.phone = settings, phone
        self.rasa_url, self.desk_url = rasa_url, desk_url.rstrip("/")
        self.recognisers = recognisers or EngineRecognisers(settings)
        self.synthesizer = synthesizer or EspeakSynthesizer(settings.tts)
        self.calls_dir = phone.calls_dir
        self.calls_dir.mkdir(parents=True, exist_ok=True)

    def language_for(self, dialled: Optional[str], hinted: Optional[str]) -> str:
        """The language of the number the caller dialled (a Swedish and a Norwegian number), else the line's hint."""
        phone = self.phone
        if dialled and dialled in phone.languages:
            return phone.languages[dialled]
        return hinted if hinted in self.settings.tts.voices else phone.default_language

    async def answer(
        self, line: Transport, caller: Optional[str], dialled: Optional[str] = None, language: Optional[str] = None
    ) -> CallRecord:
        dialogue = RasaDialogue(self.rasa_url)
        plan = TransferPlan(self.phone.agent_queue_uri, self._leave_callback)
        call = Call(
            line, dialogue, self.synthesizer, self.settings, self.language_for(dialled, language),
            self.recognisers, caller=caller, transfer=plan,
        )  # fmt: skip
        try:
            record = await call.run()
        finally:
            await dialogue.close()
        self._keep(record)
        return record

    async def _leave_callback(self, call_id: str, contact: str) -> bool:
        """The desk turns the call's waiting hand-off into a call-back to the caller's number."""
        token = secrets.secret(secrets.DESK_SERVICE_TOKEN)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
                async with http.post(
                    f"{self.desk_url}/internal/handoffs/callback-instead",
                    json={"sender_id": call_id, "contact": contact},
                    headers={"Authorization": f"Bearer {token}"},
                ) as answer:
                    if answer.status == 201:
                        return True
                    logger.error("call %s: the desk refused the call-back: %s", call_id, await answer.text())
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.error("call %s: the desk is unreachable for the call-back: %s", call_id, error)
        return False

    def _keep(self, record: CallRecord) -> None:
        path = self.calls_dir / f"{record.call_id}.json"
        path.write_text(json.dumps(dataclasses.asdict(record), ensure_ascii=False, indent=1), encoding="utf-8")

    def close(self) -> None:
        for part in (self.synthesizer, self.recognisers):
            close = getattr(part, "close", None)
            if close is not None:
                close()

