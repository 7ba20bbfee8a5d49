"""Twilio's side of a bidirectional Media Stream, for tests: the real JSON messages over a real WebSocket.

`TwilioCaller` dials the bot's media-stream URL as Twilio does after <Connect><Stream>: `connected`,
`start`, then the caller's audio as 20 ms μ-law `media` messages paced `speed` times faster than
real time, keypad `dtmf`, and `stop`. The bot's `media` is queued and "played" at the same speed; a
`mark` is echoed once the audio before it has played, and `clear` drops what is still queued and
echoes the marks in it at once, as Twilio does.

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
import uuid
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Union

import aiohttp

from voice.audio.pcm import resample

LINE_RATE = 8000
CHUNK_BYTES = 160  # 20 ms of μ-law at 8 kHz
CHUNK_S = CHUNK_BYTES / LINE_RATE
MULAW = {"encoding": "audio/x-mulaw", "sampleRate": LINE_RATE, "channels": 1}


def sign(url: str, auth_token: str) -> str:
    """X-Twilio-Signature of a request without a body, written from Twilio's security docs, apart from the bot's code."""
    return base64.b64encode(hmac.new(auth_token.encode(), url.encode(), hashlib.sha1).digest()).decode()


def mulaw_chunks(pcm: bytes, rate: int) -> List[bytes]:
    """16-bit PCM at any rate as the 20 ms μ-law chunks a phone line carries; the last one padded with silence."""
    line = audioop.lin2ulaw(resample(pcm, rate, LINE_RATE), 2)
    return [line[i : i + CHUNK_BYTES].ljust(CHUNK_BYTES, b"\xff") for i in range(0, len(line), CHUNK_BYTES)]


async def wait_until(condition: Callable[[], object], timeout_s: float = 5.0) -> None:
    """Polls, because the things tests wait for (a mark, a clear) happen on the far side of a socket."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {condition}")
        await asyncio.sleep(0.005)


class TwilioCaller:
    """One call as Twilio streams it; use as `async with TwilioCaller(url, {...}) as caller:`."""

    def __init__(
        self,
        url: str,
        parameters: Optional[Mapping[str, str]] = None,
        *,
        speed: float = 8.0,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.url, self.parameters, self.speed = url, dict(parameters or {}), speed
        self.headers = dict(headers or {})
        self.account_sid = "AC" + "0" * 32
        self.call_sid = f"CA{uuid.uuid4().hex}"
        self.stream_sid = f"MZ{uuid.uuid4().hex}"
        self.chunks_sent = 0
        self.sent = bytearray()  # every μ-law byte of the caller's audio, as sent
        self.received = bytearray()  # every μ-law byte of the bot's audio that arrived
        self.played = bytearray()  # what was played before a clear dropped the rest
        self.marks_echoed: List[str] = []
        self.clears = 0
        self.foreign_messages: List[Dict[str, Any]] = []  # anything not addressed to this stream
        self.close_code: Optional[int] = None
        self.close_reason = ""
        self.closed = asyncio.Event()
        self._sequence = itertools.count(1)
        self._queue: Deque[Union[bytes, str]] = deque()  # bot audio and mark names, in arrival order
        self._queued = asyncio.Event()
        self._sending = asyncio.Lock()
        self._tasks: List[asyncio.Task] = []

    async def __aenter__(self) -> "TwilioCaller":
        self._session = aiohttp.ClientSession()
        try:
            self._ws = await self._session.ws_connect(self.url, headers=self.headers)
        except BaseException:
            await self._session.close()
            raise
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._play())]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._ws.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._session.close()

    def heard(self) -> bytes:
        """The bot's audio as 16-bit PCM at 8 kHz."""
        return audioop.ulaw2lin(bytes(self.received), 2)

    async def start(self, media_format: Optional[Dict[str, Any]] = None) -> None:
        await self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send(
            {
                "event": "start",
                "sequenceNumber": self._next(),
                "start": {
                    "accountSid": self.account_sid,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": self.parameters,
                    "mediaFormat": media_format or MULAW,
                },
                "streamSid": self.stream_sid,
            }
        )

    async def say(self, pcm: bytes, rate: int) -> None:
        """Streams the audio chunk by chunk on a fixed schedule, `speed` times faster than it was spoken."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        for count, chunk in enumerate(mulaw_chunks(pcm, rate), start=1):
            await self.media(chunk)
            await asyncio.sleep(max(0.0, began + count * CHUNK_S / self.speed - loop.time()))

    async def silence(self, seconds: float) -> None:
        await self.say(bytes(int(seconds * LINE_RATE) * 2), LINE_RATE)

    async def media(self, chunk: bytes) -> None:
        self.chunks_sent += 1
        self.sent += chunk
        await self.send(
            {
                "event": "media",
                "sequenceNumber": self._next(),
                "media": {
                    "track": "inbound",
                    "chunk": str(self.chunks_sent),
                    "timestamp": str(int((self.chunks_sent - 1) * CHUNK_S * 1000)),
                    "payload": base64.b64encode(chunk).decode(),
                },
                "streamSid": self.stream_sid,
            }
        )

    async def press(self, keys: str) -> None:
        for key in keys:
            await self.send(
                {
                    "event": "dtmf",
                    "streamSid": self.stream_sid,
                    "sequenceNumber": self._next(),
                    "dtmf": {"track": "inbound_track", "digit": key},
                }
            )

    async def hang_up(self) -> None:
        """Twilio's `stop`; the bot then ends the call and closes the socket."""
        await self.send(
            {
                "event": "stop",
                "sequenceNumber": self._next(),
                "streamSid": self.stream_sid,
                "stop": {"accountSid": self.account_sid, "callSid": self.call_sid},
            }
        )
        await asyncio.wait_for(self.closed.wait(), timeout=5)

    async def send(self, message: Union[Dict[str, Any], str, bytes]) -> None:
        """A message as given: dicts as JSON, strings and bytes raw, so tests can break the protocol on purpose."""
        async with self._sending:
            if isinstance(message, bytes):
                await self._ws.send_bytes(message)
            else:
                await self._ws.send_str(message if isinstance(message, str) else json.dumps(message))

    def _next(self) -> str:
        return str(next(self._sequence))

    async def _listen(self) -> None:
        try:
            while True:
                received = await self._ws.receive()
                if received.type != aiohttp.WSMsgType.TEXT:
                    if received.type == aiohttp.WSMsgType.CLOSE:
                        self.close_code, self.close_reason = received.data, received.extra or ""
                    return
                await self._take(json.loads(received.data))
        finally:
            self.closed.set()

    async def _take(self, message: Dict[str, Any]) -> None:
        if message.get("streamSid") != self.stream_sid:
            self.foreign_messages.append(message)
            return
        event = message["event"]
        if event == "media":
            chunk = base64.b64decode(message["media"]["payload"])
            self.received += chunk
            self._enqueue(chunk)
        elif event == "mark":
            self._enqueue(message["mark"]["name"])
        elif event == "clear":
            await self._clear()

    def _enqueue(self, item: Union[bytes, str]) -> None:
        self._queue.append(item)
        self._queued.set()

    async def _clear(self) -> None:
        self.clears += 1
        marks = [item for item in self._queue if isinstance(item, str)]
        self._queue.clear()
        for name in marks:
            await self._echo_mark(name)

    async def _play(self) -> None:
        """Plays the bot's audio in real time divided by `speed`, echoing each mark when playback reaches it.

        Paced against a running clock, not by one sleep per chunk: under uvloop's event loop policy
        (which Rasa's and Sanic's server code install process-wide, so earlier tests leave it behind)
        each timer is truncated to whole milliseconds, and per-chunk sleeps of 2.5 ms played a
        prompt in 0.86 of its time.
        """
        loop = asyncio.get_running_loop()
        played_until = loop.time()
        while True:
            if not self._queue:
                self._queued.clear()
                await self._queued.wait()
                continue
            item = self._queue.popleft()
            if isinstance(item, bytes):
                played_until = max(played_until, loop.time()) + len(item) / LINE_RATE / self.speed
                await asyncio.sleep(max(0.0, played_until - loop.time()))
                self.played += item
            else:
                await self._echo_mark(item)

    async def _echo_mark(self, name: str) -> None:
        self.marks_echoed.append(name)
        await self.send(
            {"event": "mark", "sequenceNumber": self._next(), "streamSid": self.stream_sid, "mark": {"name": name}}
        )
