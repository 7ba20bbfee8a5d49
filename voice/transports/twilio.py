"""Twilio Media Streams: a phone call that arrives as a WebSocket of JSON messages, as one more `Transport`.

Twilio sends the caller's audio as base64 μ-law at 8 kHz in 20 ms `media` messages, keypad presses
as `dtmf`, and ends with `stop`. The bot's speech goes back the same way, but Twilio buffers it and
plays it at its own pace, so `play()` sends a whole prompt at once followed by a `mark`: Twilio
echoes the mark when the audio before it has been played, and that echo, not a timer, says the
caller heard the prompt. Barge-in sends `clear`, which drops what Twilio still holds; Twilio then
echoes the dropped marks as well, so an echo only counts for the prompt that is still playing.

Protocol: https://www.twilio.com/docs/voice/media-streams/websocket-messages
"""

from __future__ import annotations

import asyncio
import audioop
import base64
import hashlib
import hmac
import itertools
import json
import logging
from dataclasses import dataclass, field
from math import gcd
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Union

from aiohttp import WSCloseCode, WSMsgType, web

from voice import settings as voice_settings
from voice.audio.pcm import resample
from voice.settings import TwilioSettings, VoiceSettings
from voice.transports.base import DtmfDigit

logger = logging.getLogger(__name__)

# What the protocol fixes, not settings: Twilio's line is G.711 μ-law, 8 kHz mono, in 20 ms chunks.
LINE_ENCODING = "audio/x-mulaw"
LINE_RATE = 8000
LINE_CHUNK_BYTES = LINE_RATE * 20 // 1000  # one μ-law byte per sample
MULAW_SILENCE = b"\xff"  # μ-law code of a zero sample
SAMPLE_WIDTH = 2  # the pipeline's 16-bit PCM
KEYS = frozenset("0123456789*#ABCD")
CLOSE_REASON_BYTES = 123  # the most a WebSocket close frame carries

Item = Union[bytes, DtmfDigit]


class ProtocolViolation(Exception):
    """The peer does not speak Twilio's protocol: the stream is closed with `reason`, which the peer can read."""

    def __init__(self, reason: str, code: int = WSCloseCode.PROTOCOL_ERROR) -> None:
        super().__init__(reason)
        self.reason, self.code = reason, code


@dataclass(frozen=True)
class StreamStart:
    """What Twilio's `start` message tells about the call; `parameters` are the TwiML <Parameter>s."""

    stream_sid: str
    call_sid: str
    account_sid: str
    parameters: Dict[str, str]


@dataclass
class _Playback:
    """One prompt handed to Twilio: done with True when its mark comes back, with False when cut short."""

    mark: str
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def resolve(self, played: bool) -> None:
        if not self.done.done():
            self.done.set_result(played)


class _StreamResampler:
    """Resamples audio arriving in 20 ms pieces as if it were one signal.

    Resampling each piece alone makes every piece fade in and out at its edges (a 50 Hz buzz the
    recogniser hears), so each piece is resampled with `margin` samples of the audio around it and
    only the part whose filter saw real audio is kept: the output lags the input by `margin`
    samples (under 2 ms on a phone line). scipy's `resample_poly` filter reaches 10·max(up, down) taps
    either side at the upsampled rate, which sets the margin.
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        common = gcd(from_rate, to_rate)
        self.from_rate, self.to_rate = from_rate, to_rate
        self.up, self.down = to_rate // common, from_rate // common
        reach = -(-10 * max(self.up, self.down) // self.up) + 1
        self.margin = -(-reach // self.down) * self.down  # whole input steps, so output samples line up
        self.held = bytearray(self.margin * SAMPLE_WIDTH)  # the line was silent before the call

    def push(self, pcm: bytes) -> bytes:
        self.held += pcm
        ready = len(self.held) // SAMPLE_WIDTH - 2 * self.margin
        ready -= ready % self.down
        if ready <= 0:
            return b""
        block = resample(bytes(self.held[: (ready + 2 * self.margin) * SAMPLE_WIDTH]), self.from_rate, self.to_rate)
        first = self.margin * self.up // self.down
        del self.held[: ready * SAMPLE_WIDTH]
        return block[first * SAMPLE_WIDTH : (first + ready * self.up // self.down) * SAMPLE_WIDTH]

    def flush(self) -> bytes:
        """What is still held back, followed by silence, once no more audio will come."""
        return self.push(bytes(self.margin * SAMPLE_WIDTH))


def _mulaw_chunks(pcm: bytes, sample_rate: int) -> List[bytes]:
    """The bot's speech as Twilio plays it: 20 ms of μ-law each, the last one filled up with silence."""
    line = audioop.lin2ulaw(resample(pcm, sample_rate, LINE_RATE), SAMPLE_WIDTH)
    return [
        line[start : start + LINE_CHUNK_BYTES].ljust(LINE_CHUNK_BYTES, MULAW_SILENCE)
        for start in range(0, len(line), LINE_CHUNK_BYTES)
    ]


def _json_object(text: str) -> Dict[str, Any]:
    message = json.loads(text)
    if not isinstance(message, dict):
        raise TypeError(f"expected a JSON object, got {type(message).__name__}")
    return message


def _parse_start(message: Dict[str, Any]) -> StreamStart:
    start = message.get("start")
    if not isinstance(start, dict):
        raise ProtocolViolation("start message without a start object")
    media_format = start.get("mediaFormat")
    media_format = media_format if isinstance(media_format, dict) else {}
    found = tuple(str(media_format.get(key)) for key in ("encoding", "sampleRate", "channels"))
    if found != (LINE_ENCODING, str(LINE_RATE), "1"):
        raise ProtocolViolation(
            f"unsupported mediaFormat {'/'.join(found)}: only {LINE_ENCODING}/{LINE_RATE}/1",
            WSCloseCode.UNSUPPORTED_DATA,
        )
    stream_sid = start.get("streamSid") or message.get("streamSid")
    parameters = start.get("customParameters") or {}
    if not isinstance(stream_sid, str) or not isinstance(parameters, dict):
        raise ProtocolViolation("start message without a streamSid or with malformed customParameters")
    return StreamStart(
        stream_sid=stream_sid,
        call_sid=str(start.get("callSid", "")),
        account_sid=str(start.get("accountSid", "")),
        parameters={str(name): str(value) for name, value in parameters.items()},
    )


class TwilioStream:
    """One call's media stream as a `Transport` at the pipeline's rate, built once Twilio's `start` arrived.

    The handler's reader task feeds it every message; `receive()` ends at `stop` or when the socket closes.
    """

    def __init__(self, ws: web.WebSocketResponse, start: StreamStart, settings: VoiceSettings) -> None:
        self.sample_rate = settings.sample_rate
        self.stream_sid, self.call_sid, self.parameters = start.stream_sid, start.call_sid, start.parameters
        self.ended = False
        self._ws = ws
        self._frame_bytes = settings.frame_bytes
        self._upsampler = _StreamResampler(LINE_RATE, self.sample_rate)
        self._pending = bytearray()  # resampled caller audio short of a whole frame
        self._inbox: asyncio.Queue[Optional[Item]] = asyncio.Queue()  # None: the caller hung up
        self._sending = asyncio.Lock()  # one message at a time, so `clear` never lands inside a prompt's media
        self._playback: Optional[_Playback] = None
        self._clearing: Optional[asyncio.Task] = None
        self._marks = itertools.count(1)
        self._events: Dict[str, Callable[[Dict[str, Any]], None]] = {
            "media": self._on_media,
            "dtmf": self._on_dtmf,
            "mark": self._on_mark,
            "stop": self._on_stop,
        }

    async def receive(self) -> AsyncIterator[Item]:
        while (item := await self._inbox.get()) is not None:
            yield item
        self._inbox.put_nowait(None)  # a later receive() ends at once as well

    async def play(self, pcm: bytes) -> bool:
        """Hands the whole prompt to Twilio at once (Twilio paces it) and waits for the mark behind it."""
        await self._cleared()
        loop = asyncio.get_running_loop()
        chunks = await loop.run_in_executor(None, _mulaw_chunks, pcm, self.sample_rate)
        if self.ended:
            return False
        playback = self._playback = _Playback(f"{self.stream_sid}-prompt-{next(self._marks)}")
        try:
            if not (await self._send_audio(chunks, playback) and await self._send_mark(playback.mark)):
                playback.resolve(False)
            return await playback.done
        finally:
            if not playback.done.done():  # cancelled while Twilio still plays it: silence the line too
                self.interrupt()
            if self._playback is playback:
                self._playback = None

    def interrupt(self) -> None:
        playback = self._playback
        if playback is None or playback.done.done():
            return
        playback.resolve(False)
        self._clearing = asyncio.get_running_loop().create_task(self._send({"event": "clear"}))

    async def close(self) -> None:
        """Ends the stream from our side; for <Connect><Stream> Twilio then goes on with the call's next TwiML."""
        self.interrupt()
        await self._cleared()
        self._finish()
        await self._ws.close()

    async def _send_audio(self, chunks: List[bytes], playback: _Playback) -> bool:
        for chunk in chunks:
            if playback.done.done():
                return False
            if not await self._send({"event": "media", "media": {"payload": base64.b64encode(chunk).decode("ascii")}}):
                return False
        return True

    async def _send_mark(self, name: str) -> bool:
        return await self._send({"event": "mark", "mark": {"name": name}})

    async def _send(self, message: Dict[str, Any]) -> bool:
        """One message to Twilio; False once the socket is closing, which ends the play like a hang-up."""
        async with self._sending:
            if self._ws.closed:
                return False
            try:
                await self._ws.send_str(json.dumps({**message, "streamSid": self.stream_sid}))
            except (ConnectionError, RuntimeError) as error:
                logger.debug("stream %s: could not send %s: %s", self.stream_sid, message["event"], error)
                return False
        return True

    async def _cleared(self) -> None:
        """The next prompt goes out only after `clear`, or Twilio would drop it along with the interrupted one."""
        if self._clearing is not None:
            await self._clearing
            self._clearing = None

    async def _read(self) -> None:
        """Feeds the stream from the socket until it closes; runs as its own task beside the call."""
        try:
            while True:
                received = await self._ws.receive()
                if received.type == WSMsgType.TEXT:
                    self._take(received.data)
                elif received.type == WSMsgType.BINARY:
                    logger.warning("stream %s: skipped a binary message; Twilio sends JSON text", self.stream_sid)
                else:
                    if received.type == WSMsgType.ERROR:
                        logger.warning("stream %s: the socket failed: %s", self.stream_sid, self._ws.exception())
                    return
        finally:
            self._finish()

    def _take(self, text: str) -> None:
        """One message from Twilio; a malformed one is logged and skipped, since one bad message must not end a call."""
        if self.ended:
            return
        try:
            message = _json_object(text)
            handle = self._events.get(message.get("event"))
            if handle is None:
                logger.debug("stream %s: ignored a %r message", self.stream_sid, message.get("event"))
                return
            handle(message)
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("stream %s: skipped a malformed message (%s): %.200s", self.stream_sid, error, text)

    def _on_media(self, message: Dict[str, Any]) -> None:
        media = message["media"]
        if media.get("track", "inbound") != "inbound":
            return  # the bot's own audio, when a stream was started with both tracks
        mulaw = base64.b64decode(media["payload"], validate=True)
        self._queue_audio(self._upsampler.push(audioop.ulaw2lin(mulaw, SAMPLE_WIDTH)))

    def _on_dtmf(self, message: Dict[str, Any]) -> None:
        digit = message["dtmf"]["digit"]
        if digit not in KEYS:
            raise ValueError(f"{digit!r} is not a keypad key")
        self._inbox.put_nowait(DtmfDigit(digit))

    def _on_mark(self, message: Dict[str, Any]) -> None:
        name = message["mark"]["name"]
        playback = self._playback
        if playback is not None and playback.mark == name:
            playback.resolve(True)
        else:
            logger.debug("stream %s: mark %r belongs to audio that was cleared", self.stream_sid, name)

    def _on_stop(self, message: Dict[str, Any]) -> None:
        self._finish()

    def _queue_audio(self, pcm: bytes) -> None:
        self._pending += pcm
        while len(self._pending) >= self._frame_bytes:
            self._inbox.put_nowait(bytes(self._pending[: self._frame_bytes]))
            del self._pending[: self._frame_bytes]

    def _finish(self) -> None:
        """The caller is gone (`stop`, or the socket closed): deliver the audio still held and end `receive()`."""
        if self.ended:
            return
        self.ended = True
        self._queue_audio(self._upsampler.flush())
        if self._pending:
            self._inbox.put_nowait(bytes(self._pending).ljust(self._frame_bytes, b"\0"))
            self._pending.clear()
        self._inbox.put_nowait(None)
        if self._playback is not None:
            self._playback.resolve(False)


OnCall = Callable[[TwilioStream], Awaitable[None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def twilio_signature(url: str, auth_token: str) -> str:
    """Twilio's X-Twilio-Signature for a request without a form body, such as a WebSocket upgrade:
    HMAC-SHA1 of the full URL Twilio dialled, keyed with the account's Auth Token, base64-encoded."""
    digest = hmac.new(auth_token.encode("utf-8"), url.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _dialled_url(request: web.Request, public_url: Optional[str]) -> str:
    """The URL as Twilio wrote it: a proxy in front changes scheme and host, so those can be configured."""
    origin = public_url or f"{'wss' if request.secure else 'ws'}://{request.host}"
    return origin.rstrip("/") + request.raw_path


def _signed_by_twilio(request: web.Request, line: TwilioSettings) -> bool:
    assert line.auth_token is not None
    expected = twilio_signature(_dialled_url(request, line.public_url), line.auth_token)
    given = request.headers.get("X-Twilio-Signature", "")
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))


async def _await_start(ws: web.WebSocketResponse) -> Optional[StreamStart]:
    """Skips `connected`; anything else before `start` is not Twilio. None when the peer left first."""
    while True:
        received = await ws.receive()
        if received.type == WSMsgType.BINARY:
            raise ProtocolViolation("binary message: Twilio sends JSON text", WSCloseCode.UNSUPPORTED_DATA)
        if received.type != WSMsgType.TEXT:
            return None
        try:
            message = _json_object(received.data)
        except (ValueError, TypeError) as error:
            raise ProtocolViolation(f"not a JSON object: {error}") from error
        event = message.get("event")
        if event == "start":
            return _parse_start(message)
        if event != "connected":
            raise ProtocolViolation(f"{event!r} message before start")


async def _close(ws: web.WebSocketResponse, code: int, reason: str) -> None:
    logger.warning("closed a media stream: %s", reason)
    message = reason.encode("utf-8")[:CLOSE_REASON_BYTES].decode("utf-8", "ignore").encode("utf-8")
    await ws.close(code=code, message=message)


async def _handshake(ws: web.WebSocketResponse, timeout_s: float) -> Optional[StreamStart]:
    """The stream's `start`, or None after closing the socket with the reason the peer broke the protocol."""
    try:
        return await asyncio.wait_for(_await_start(ws), timeout_s)
    except ProtocolViolation as violation:
        await _close(ws, violation.code, violation.reason)
    except asyncio.TimeoutError:
        await _close(ws, WSCloseCode.POLICY_VIOLATION, f"no start message within {timeout_s:g} s")
    return None


async def _serve(stream: TwilioStream, on_call: OnCall) -> None:
    """Runs one call while a reader task feeds its stream; whatever the call raises ends this call only."""
    logger.info("media stream %s of call %s started", stream.stream_sid, stream.call_sid)
    reading = asyncio.create_task(stream._read())
    try:
        await on_call(stream)
    except Exception:
        logger.exception("the call on media stream %s failed", stream.stream_sid)
    finally:
        try:
            await stream.close()
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)
    logger.info("media stream %s ended", stream.stream_sid)


def media_stream_handler(
    on_call: OnCall, settings: Optional[VoiceSettings] = None, twilio_settings: Optional[TwilioSettings] = None
) -> Handler:
    """The aiohttp handler for `twilio.path`: one `TwilioStream` per WebSocket, handed to `on_call` after `start`."""
    voice = settings or voice_settings.default()
    line = twilio_settings or voice_settings.load_twilio()

    async def media_stream(request: web.Request) -> web.StreamResponse:
        if line.auth_token and not _signed_by_twilio(request, line):
            logger.warning("refused a media stream from %s: X-Twilio-Signature does not match", request.remote)
            raise web.HTTPForbidden(text="X-Twilio-Signature does not match\n")
        ws = web.WebSocketResponse(max_msg_size=line.max_message_bytes)
        await ws.prepare(request)
        start = await _handshake(ws, line.start_timeout_s)
        if start is not None:
            await _serve(TwilioStream(ws, start, voice), on_call)
        return ws

    return media_stream
