"""One phone call: the caller's audio and keypad in, the bot's answers spoken back, until someone hangs up.

The receive loop never waits for the bot to finish speaking: playback runs as its own task, so
the caller's speech still reaches the turn detector while the bot talks, and speaking over the
bot (barge-in) stops the playback at once. Rasa counts what it did not understand itself (two
fallbacks hand over); the call adds what only a phone has: silence and unrecognisable audio.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Awaitable, Callable, List, Optional, Sequence, Tuple

from bot.channels import ownership
from voice import texts
from voice.asr.base import Recognisers
from voice.dialogue import DialogueUnavailable, Option, Prompt, RasaDialogue
from voice.settings import VoiceSettings
from voice.spoken import entities, numbers
from voice.transports.base import DtmfDigit, Transferable, Transport
from voice.tts.base import Synthesizer
from voice.turn import CallerFinished, CallerStarted, NoInput, TurnDetector
from voice.vad.webrtc import SpeechGate

logger = logging.getLogger(__name__)

GREETING = "/greet"
HUMAN = "/request_human"
HUMAN_KEY = "0"
END_KEY = "#"
CLEAR_KEY = "*"


@dataclass
class TurnTiming:
    """One answered turn, for the benchmark: Rasa's round trip and the wait until the first audio."""

    rasa_s: float
    first_audio_s: float


@dataclass(frozen=True)
class TransferPlan:
    """Where a phone call goes when the bot hands over, and how a caller left without an agent is called back."""

    target_uri: str
    leave_callback: Callable[[str, str], Awaitable[bool]]  # (call id, caller's number) -> stored


@dataclass
class CallRecord:
    call_id: str
    language: str
    heard: List[str] = field(default_factory=list)  # what reached Rasa: transcripts, digits, payloads
    said: List[str] = field(default_factory=list)  # what the bot spoke, menus included
    timings: List[TurnTiming] = field(default_factory=list)
    handed_over: bool = False
    transferred: Optional[bool] = None  # None: not tried (no phone line or no hand-over)
    callback_left: bool = False
    barge_ins: int = 0


class Call:
    def __init__(
        self,
        transport: Transport,
        dialogue: RasaDialogue,
        synthesizer: Synthesizer,
        settings: VoiceSettings,
        language: str,
        recognisers: Optional[Recognisers] = None,
        caller: Optional[str] = None,
        call_id: Optional[str] = None,
        transfer: Optional[TransferPlan] = None,
    ) -> None:
        self.transport, self.dialogue, self.synthesizer = transport, dialogue, synthesizer
        self.settings, self.language, self.caller = settings, language, caller
        self.recognisers = recognisers
        self.transfer = transfer if isinstance(transport, Transferable) else None
        self.offering_callback = False
        self.record = CallRecord(call_id or f"{ownership.CALL_PREFIX}{uuid.uuid4().hex}", language)
        self.options: Tuple[Option, ...] = ()  # the menu of the bot's latest answer
        self.last_prompts: Sequence[Prompt] = ()  # repeated when the caller stays silent
        self.digits = ""
        self.no_input = self.no_match = 0
        self.ended = False
        self._speaking: Optional[asyncio.Task] = None
        self._detector: Optional[TurnDetector] = None

    @property
    def understands_speech(self) -> bool:
        return self.recognisers is not None and self.recognisers.has(self.language)

    async def run(self) -> CallRecord:
        """Greets, then answers turn after turn until the caller hangs up or the bot hands over."""
        stream = None
        if self.understands_speech:
            stream = await self.recognisers.stream(self.language, self.settings.sample_rate)
            gate = SpeechGate(self.settings.vad, self.settings.sample_rate, self.settings.frame_ms)
            self._detector = TurnDetector(gate, stream, self.settings.turn)
        try:
            keypad_only = () if self.understands_speech else (Prompt(texts.text("keypad_only", self.language)),)
            await self._send(GREETING, time.monotonic(), then=keypad_only)
            async for item in self.transport.receive():
                await self._take(item)
                if self.ended:
                    break
            await self._finish_speaking()
        finally:
            await self._stop_speaking()
            if stream is not None:
                stream.close()
        return self.record

    async def _take(self, item: object) -> None:
        if isinstance(item, DtmfDigit):
            await self._on_key(item.digit)
        elif self._detector is not None:
            event = await self._detector.push(item)
            if isinstance(event, CallerStarted) and self._is_speaking():
                self.record.barge_ins += 1
                self.transport.interrupt()
            elif isinstance(event, CallerFinished):
                await self._on_speech(event.text)
            elif isinstance(event, NoInput):
                await self._on_silence()

    async def _on_speech(self, transcript: str) -> None:
        started = time.monotonic()
        text = transcript.strip()
        if not text:
            await self._not_understood(started)
            return
        self.no_input = self.no_match = 0
        chosen = self._option_said(text)
        await self._send(chosen.payload if chosen else entities.as_written(text, self.language), started)

    async def _on_key(self, key: str) -> None:
        """Keypad: an option by its number, 0 for a person, digits ended by # for numbers, * to start over."""
        started = time.monotonic()
        self.no_input = 0
        if self.offering_callback:
            await self._answer_callback_offer(key, started)
        elif key == CLEAR_KEY:
            self.digits = ""
        elif key == HUMAN_KEY and not self.digits and not self.options:
            await self._send(HUMAN, started)
        elif self.options and not self.digits and key.isdigit() and 1 <= int(key) <= len(self.options):
            await self._send(self.options[int(key) - 1].payload, started)
        elif key == END_KEY:
            digits, self.digits = self.digits, ""
            if digits:
                await self._send(digits, started)
        else:
            self.digits += key

    async def _on_silence(self) -> None:
        self.no_input += 1
        if self.no_input > self.settings.turn.max_no_input:
            await self._hand_over(time.monotonic(), "caller_silent")
            return
        await self._speak([Prompt(texts.text("no_input", self.language)), *self.last_prompts], time.monotonic())

    async def _not_understood(self, started: float) -> None:
        self.no_match += 1
        if self.no_match > self.settings.turn.max_no_match:
            await self._hand_over(started, "speech_not_understood")
            return
        await self._speak([Prompt(texts.text("no_match", self.language))], started)

    async def _hand_over(self, started: float, reason: str) -> None:
        """The call's own reasons to give up (silence, unrecognisable speech), counted at the desk."""
        await self._send(HUMAN, started, reason=reason)

    async def _send(self, message: str, started: float, then: Sequence[Prompt] = (), reason: str = "") -> None:
        """One turn to Rasa and its answer spoken; a hand-over in the answer ends the call's dialogue."""
        self.record.heard.append(message)
        asked = time.monotonic()
        try:
            metadata = {**self._metadata(), "handoff_reason": reason} if reason else self._metadata()
            prompts = await self.dialogue.say(self.record.call_id, message, metadata)
        except DialogueUnavailable as error:
            logger.error("call %s: %s", self.record.call_id, error)
            prompts = [Prompt(texts.text("unavailable", self.language), handoff="unavailable")]
        prompts = [*prompts, *then]
        rasa_s = time.monotonic() - asked
        self.last_prompts = prompts
        self.options = next((p.options for p in reversed(prompts) if p.options), ())
        first_audio_s = await self._speak(prompts, started)
        self.record.timings.append(TurnTiming(rasa_s, first_audio_s))
        if any(p.handoff for p in prompts):
            self.record.handed_over = True
            await self._transfer_or_end(started)

    async def _transfer_or_end(self, started: float) -> None:
        """A phone line goes to the agents' queue; if it cannot, the caller is offered a call-back instead."""
        self.ended = True
        if self.transfer is None:
            return
        await self._finish_speaking()
        self.record.transferred = await self.transport.transfer(self.transfer.target_uri)
        if self.record.transferred:
            return
        if not self.caller:
            await self._speak([Prompt(texts.text("transfer_failed", self.language))], started)
            await self._finish_speaking()
            return
        self.ended, self.offering_callback = False, True
        offer = texts.text("transfer_failed_callback", self.language, number=entities.read_back(self.caller, self.language))
        await self._speak([Prompt(offer)], started)

    async def _answer_callback_offer(self, key: str, started: float) -> None:
        self.offering_callback, self.ended = False, True
        if key == "1" and self.transfer is not None:
            self.record.callback_left = await self.transfer.leave_callback(self.record.call_id, self.caller or "")
        answer = "callback_registered" if self.record.callback_left else "goodbye"
        await self._speak([Prompt(texts.text(answer, self.language))], started)
        await self._finish_speaking()

    async def _speak(self, prompts: Sequence[Prompt], started: float) -> float:
        """Renders every prompt concurrently and starts playing the first as soon as it is ready."""
        await self._stop_speaking()
        lines = [line for p in prompts for line in (p.text, texts.menu(p.options, self.language)) if line]
        self.record.said.extend(lines)
        rate = self.transport.sample_rate
        renders = [asyncio.ensure_future(self.synthesizer.synthesize(line, self.language, rate)) for line in lines]
        first = await renders[0] if renders else b""
        first_audio_s = time.monotonic() - started
        self._speaking = asyncio.create_task(self._play(first, renders[1:]))
        return first_audio_s

    async def _play(self, first: bytes, rest: List["asyncio.Future[bytes]"]) -> None:
        try:
            if await self.transport.play(first):
                for render in rest:
                    if not await self.transport.play(await render):
                        break
        finally:
            for render in rest:
                render.cancel()
            if self._detector is not None:
                self._detector.expect_input()

    def _is_speaking(self) -> bool:
        return self._speaking is not None and not self._speaking.done()

    async def _finish_speaking(self) -> None:
        if self._speaking is not None:
            await asyncio.shield(self._speaking)

    async def _stop_speaking(self) -> None:
        if self._is_speaking():
            self.transport.interrupt()
            await asyncio.gather(self._speaking, return_exceptions=True)

    def _option_said(self, text: str) -> Optional[Option]:
        """A menu choice by its number ("to", "nummer två") or by its title."""
        if not self.options:
            return None
        number = numbers.parse_number(text.lower().replace("nummer", "").split(), self.language)
        if number is not None and 1 <= number <= len(self.options):
            return self.options[number - 1]
        said = text.lower()
        return next((o for o in self.options if o.title.lower() in said), None)

    def _metadata(self) -> dict:
        metadata = {"language": self.language, "call_id": self.record.call_id}
        return {**metadata, "caller": self.caller} if self.caller else metadata
