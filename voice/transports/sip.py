"""A SIP phone line through PJSIP (pjsua2): the bot registers as one user, answers every call and speaks G.711.

How PJSIP is driven, and why (each point checked on these machines with pjsua2 2.15.1):

- PJSIP asserts (aborts the process) when a thread it does not know calls it, and the thread that
  ran `libDestroy()` can never `libCreate()` again. So ONE thread per `start()` creates the
  library, polls it with `libHandleEvents` and makes every pjsua2 call; with `threadCnt=0` and
  `mainThreadOnly=True` PJSIP runs its SIP callbacks (call state, DTMF, transfer) in that thread
  too. Asyncio code hands it work through a queue and awaits the result as a future. Only one
  user agent can run in a process at a time: a second library, from another thread, would abort
  the process, so `start()` refuses it.
- The media port's audio callbacks are the exception: the conference bridge calls them from the
  null sound device's clock thread, so they touch only thread-safe buffers, never pjsua2.
- pjsua2 objects are freed by Python's reference counting, and a `Call` or port freed in another
  thread or after `libDestroy()` aborts the process; a `Call` freed late even clears the user
  data of whichever new call has reused its slot. So only the PJSIP thread holds them and drops
  a call right after it ends; media ports are reused, never freed while the bridge's clock runs
  (see `_MediaPort`); and `SipCall` (what the event loop sees) holds none of them.
- A Python exception escaping a SWIG callback is printed and swallowed by SWIG, leaving the call
  in whatever state it was: every callback catches, logs and hangs that one call up instead.
- Silence suppression (VAD) is off: with it PJSIP stops sending RTP while the bot is quiet, and a
  peer that does not fill the gaps (baresip's call recording) loses the pauses.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import functools
import itertools
import logging
import queue
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable, Deque, Dict, List, Optional, Set, Tuple, TypeVar, Union

import pjsua2 as pj

from voice import settings as voice_settings
from voice.audio import pcm as pcm_audio
from voice.settings import SipSettings, VoiceSettings
from voice.transports.base import DtmfDigit

logger = logging.getLogger(__name__)
pjsip_logger = logging.getLogger(f"{__name__}.pjsip")

POLL_MS = 10  # one libHandleEvents wait, and so the longest a command from asyncio waits to start
HANGUP_WAIT_S = 2.0  # stop(): time for the hang-ups to go out before the library is destroyed
HANDLERS_WAIT_S = 5.0  # stop(): time for call handlers to finish after their line went down
MAX_BACKLOG_FRAMES = 500  # 10 s of caller audio kept while a handler is not reading; later frames are dropped
USER_AGENT = "Kundesenter"
RINGING, OK = 180, 200
PJ_LOG_LEVELS = {1: logging.ERROR, 2: logging.WARNING}  # PJSIP's 3 and above are chatter: DEBUG

OnCall = Callable[["SipCall"], Awaitable[None]]
T = TypeVar("T")
_PJSIP_IN_USE = threading.Lock()  # held from start() until PJSIP is destroyed: a second library would abort the process


class SipError(RuntimeError):
    """PJSIP could not start or do what was asked; the message says what, with which settings."""


def _vector_bytes_direct(vector: pj.ByteVector) -> bytes:
    """A std::vector is (begin, end, capacity) pointers in libstdc++ and libc++: copy begin..end at once.

    SWIG's own way, element by element, costs ~0.45 ms per 20 ms frame; this costs ~2 µs.
    """
    address = int(vector.this)
    pointer = ctypes.sizeof(ctypes.c_void_p)
    begin = ctypes.c_void_p.from_address(address).value
    end = ctypes.c_void_p.from_address(address + pointer).value
    return ctypes.string_at(begin, end - begin) if begin else b""


def _vector_reader() -> Callable[[pj.ByteVector], bytes]:
    probe = bytes(range(1, 65))
    if _vector_bytes_direct(pj.ByteVector(probe)) == probe:
        return _vector_bytes_direct
    logger.warning("pjsua2's ByteVector has an unknown memory layout here: reading audio element by element")
    return bytes


_vector_bytes = _vector_reader()


def _user_of(uri: str) -> Optional[str]:
    """'"Alice" <sip:alice@host>;tag=x' -> 'alice'; 'tel:+4712345678' -> '+4712345678'."""
    found = re.search(r"(?:sips?|tel):([^@;>\s]+)", uri)
    return found.group(1) if found else None


def _resolve(future: "asyncio.Future[T]", value: T) -> None:
    if not future.done():
        future.set_result(value)


class _Outbox:
    """The bot's speech frame by frame, taken by the conference bridge's clock thread every frame."""

    def __init__(self, frame_bytes: int) -> None:
        self._silence = bytes(frame_bytes)
        self._frames: Deque[Tuple[bytes, Optional[Callable[[], None]]]] = deque()
        self._lock = threading.Lock()

    def put(self, frames: List[bytes], on_played: Callable[[], None]) -> None:
        """`on_played` runs (in the clock thread) when the last frame has been taken."""
        with self._lock:
            self._frames.extend((frame, None) for frame in frames[:-1])
            self._frames.append((frames[-1], on_played))

    def take(self) -> bytes:
        with self._lock:
            if not self._frames:
                return self._silence
            frame, on_played = self._frames.popleft()
        if on_played is not None:
            on_played()
        return frame

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()


@dataclass(frozen=True)
class _PortUser:
    """The call a media port serves: what it plays, where what it hears goes, how it asks for a hang-up."""

    outbox: _Outbox
    hear: Callable[[bytes], None]
    hang_up: Callable[[], None]


class _MediaPort(pj.AudioMediaPort):
    """A call's audio at the pipeline's rate both ways; the bridge converts to and from the 8 kHz codec.

    Runs in the bridge's clock thread: it touches only its user's outbox and `hear`, and asks the
    PJSIP thread to hang up rather than touching the call itself. Ports are reused from call to
    call, never freed while the bridge's clock runs: the port lives inside the C++ object, the
    bridge removes it only at its next tick, and a tick already under way still calls it, so a
    port freed mid-call segfaults now and then (seen here: a callback with a dangling `self`).
    """

    def __init__(self, frame_bytes: int) -> None:
        super().__init__()
        self._frame_bytes = frame_bytes
        self._silence = bytes(frame_bytes)
        self._user: Optional[_PortUser] = None  # swapped whole, so the clock thread sees one user or none
        self._failed = False

    def serve(self, user: Optional[_PortUser]) -> None:
        """Starts serving `user`'s call, or (None) idles: plays silence and drops what it hears."""
        self._failed = False
        self._user = user

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        """Frames without audio (nothing received yet, the caller on hold) are silence, so time keeps flowing."""
        user = self._user
        if user is None:
            return
        try:
            audio = _vector_bytes(frame.buf) if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO else b""
            user.hear(audio[: self._frame_bytes].ljust(self._frame_bytes, b"\0"))
        except Exception:
            self._fail(user, "receiving audio")

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        user = self._user
        try:
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            frame.buf = pj.ByteVector(user.outbox.take() if user is not None else self._silence)
            frame.size = self._frame_bytes
        except Exception:
            self._fail(user, "sending audio")

    def _fail(self, user: Optional[_PortUser], what: str) -> None:
        if not self._failed:  # once: the clock keeps calling 50 times a second until the hang-up lands
            self._failed = True
            logger.exception("media port failed %s; hanging the call up", what)
            if user is not None:
                user.hang_up()


class SipCall:
    """One phone call as the event loop sees it: a `Transport` and `Transferable` at the pipeline's rate.

    It holds no pjsua2 object, only the number the user agent knows the line by, so nothing of
    PJSIP is ever freed on the event loop. Methods whose names start with `_from_` are called
    from PJSIP's threads and only post work to the loop.
    """

    def __init__(self, agent: SipUserAgent, line: int, info: pj.CallInfo) -> None:
        voice = agent.voice
        self.sample_rate = voice.sample_rate
        self.caller = _user_of(info.remoteUri)
        self.dialled = _user_of(info.localUri)
        self.call_id = info.callIdString  # the SIP Call-ID, for finding the call in PJSIP's and the PBX's logs
        self.ended = False
        self._agent, self._line, self._loop = agent, line, agent.loop
        self._frame_ms = voice.frame_ms
        self._outbox = _Outbox(voice.frame_bytes)
        self._inbound: "asyncio.Queue[Union[bytes, DtmfDigit, None]]" = asyncio.Queue()
        self._playing: Set["asyncio.Future[bool]"] = set()
        self._transfer: Optional["asyncio.Future[int]"] = None

    async def receive(self) -> AsyncIterator[Union[bytes, DtmfDigit]]:
        while (item := await self._inbound.get()) is not None:
            yield item
        self._inbound.put_nowait(None)  # so a later receive() ends at once too

    async def play(self, pcm: bytes) -> bool:
        if self.ended:
            return False
        frames = list(pcm_audio.frames(pcm, self.sample_rate, self._frame_ms))
        if not frames:
            return True
        played = self._loop.create_future()
        self._playing.add(played)
        self._outbox.put(frames, functools.partial(self._post, _resolve, played, True))
        try:
            return await played
        finally:
            self._playing.discard(played)
            if not played.done():  # cancelled: what it queued must not keep playing
                self.interrupt()

    def interrupt(self) -> None:
        self._outbox.clear()
        for played in self._playing:
            _resolve(played, False)

    async def transfer(self, target_uri: str) -> bool:
        """REFER the caller to `target_uri`; on success our leg is hung up, as the transferor's part is done."""
        if self.ended:
            return False
        self._transfer = self._loop.create_future()
        try:
            await self._agent.on_line(self._line, lambda line: line.transfer(target_uri))
            code = await asyncio.wait_for(self._transfer, self._agent.settings.transfer_timeout_s)
        except SipError as error:
            logger.warning("call %s: transfer to %s failed: %s", self.call_id, target_uri, error)
            return False
        except asyncio.TimeoutError:
            logger.warning("call %s: transfer to %s: no outcome in time", self.call_id, target_uri)
            return False
        finally:
            self._transfer = None
        logger.info("call %s: transfer to %s ended with %s", self.call_id, target_uri, code)
        if 200 <= code < 300:
            await self.hangup()
            return True
        return False

    async def hangup(self) -> None:
        if self.ended:
            return
        try:
            await self._agent.on_line(self._line, _Line.end)
        except SipError:
            pass  # the user agent has stopped, and PJSIP hung every call up as it did

    async def close(self) -> None:
        self.interrupt()
        await self.hangup()

    def _from_clock_audio(self, pcm: bytes) -> None:
        self._post(self._heard_audio, pcm)

    def _from_pj_digit(self, digit: str) -> None:
        self._post(self._heard_digit, DtmfDigit(digit))

    def _from_pj_transfer_status(self, code: int, final: bool) -> None:
        self._post(self._transfer_status, code, final)

    def _from_pj_disconnected(self) -> None:
        self._post(self._end)

    def _post(self, callback: Callable[..., object], *args: object) -> None:
        """The loop may already be closed when a last frame or state change arrives during shutdown."""
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            pass

    def _heard_audio(self, pcm: bytes) -> None:
        if not self.ended and self._inbound.qsize() < MAX_BACKLOG_FRAMES:
            self._inbound.put_nowait(pcm)

    def _heard_digit(self, digit: DtmfDigit) -> None:
        if not self.ended:
            self._inbound.put_nowait(digit)

    def _transfer_status(self, code: int, final: bool) -> None:
        """The REFER's own 202 is not the outcome; the NOTIFYs' status of the new call is (RFC 3515)."""
        if self._transfer is not None and code >= 200 and (final or code != 202):
            _resolve(self._transfer, code)

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.interrupt()
        if self._transfer is not None:
            _resolve(self._transfer, 487)  # the line went down before the transfer's outcome came
        self._inbound.put_nowait(None)


class _Line(pj.Call):
    """One call inside the PJSIP thread: answers, wires the media port and reports to its `SipCall`."""

    def __init__(self, engine: _Engine, call_id: int, number: int) -> None:
        super().__init__(engine.account, call_id)
        self.engine, self.number = engine, number
        self.port: Optional[_MediaPort] = None
        self.ended = False
        self.deadline = time.monotonic() + engine.settings.call_timeout_s
        self.call = SipCall(engine.agent, number, self.getInfo())

    def answer_now(self) -> None:
        for code in (RINGING, OK):
            answer = pj.CallOpParam()
            answer.statusCode = code
            self.answer(answer)

    def end(self) -> None:
        """Hang up; PJSIP asserts on a call that is already gone, so that is checked first."""
        if self.ended or not self.isActive():
            return
        try:
            self.hangup(pj.CallOpParam())
        except pj.Error as error:
            logger.debug("call %s: hang-up: %s", self.call.call_id, error.reason)

    def transfer(self, target_uri: str) -> None:
        try:
            self.xfer(target_uri, pj.CallOpParam())
        except pj.Error as error:
            raise SipError(f"REFER to {target_uri} not sent: {error.reason}") from None

    def release(self) -> None:
        """Gives the port back for the next call (see `_MediaPort` for why it is not freed)."""
        if self.port is not None:
            self.port.serve(None)
            self.engine.idle_ports.append(self.port)
            self.port = None

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        self._guard(self._state_changed)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        self._guard(self._connect_media)

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        self._guard(lambda: self.call._from_pj_digit(prm.digit))

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        self._guard(lambda: self.call._from_pj_transfer_status(prm.statusCode, prm.finalNotify))

    def _guard(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            logger.exception("call %s: failed in a PJSIP callback; hanging up", self.call.call_id)
            self.end()

    def _state_changed(self) -> None:
        info = self.getInfo()
        logger.debug("call %s: %s (%s %s)", self.call.call_id, info.stateText, info.lastStatusCode, info.lastReason)
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.ended:
            self.ended = True
            logger.info("call %s from %s ended: %s %s", self.call.call_id, self.call.caller, info.lastStatusCode,
                        info.lastReason)  # fmt: skip
            self.engine.finished.append(self.number)
            self.call._from_pj_disconnected()

    def _connect_media(self) -> None:
        """Connects (again, after a re-INVITE) every active audio stream of the call to the port, both ways."""
        if self.ended:
            return
        info = self.getInfo()  # kept: `.media` is a view into it, garbage once the CallInfo is freed
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(media.index)
                if self.port is None:
                    self.port = self.engine.media_port(self)
                audio.startTransmit(self.port)
                self.port.startTransmit(audio)


class _Account(pj.Account):
    def __init__(self, engine: _Engine) -> None:
        super().__init__()
        self.engine = engine

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        try:
            self.engine.agent._from_pj_registration(prm.code, prm.reason, prm.expiration)
        except Exception:
            logger.exception("handling the registration state failed")

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        try:
            self.engine.incoming(prm.callId)
        except Exception:
            logger.exception("answering an incoming call failed")


class _LogWriter(pj.LogWriter):
    """PJSIP's log into Python logging (`voice.transports.sip.pjsip`), instead of onto stderr."""

    def write(self, entry: pj.LogEntry) -> None:
        pjsip_logger.log(PJ_LOG_LEVELS.get(entry.level, logging.DEBUG), "%s", entry.msg.rstrip())


class _Engine:
    """Everything that lives in the PJSIP thread: the library, the account and the lines (calls)."""

    def __init__(self, agent: SipUserAgent) -> None:
        self.agent, self.settings, self.voice = agent, agent.settings, agent.voice
        self.log_writer = _LogWriter()
        self.endpoint: Optional[pj.Endpoint] = None
        self.account: Optional[_Account] = None
        self.lines: Dict[int, _Line] = {}
        self.finished: List[int] = []  # lines whose call ended, dropped at the next poll (not inside their callback)
        self.ports: List[_MediaPort] = []  # every port made, freed only once the bridge's clock has stopped
        self.idle_ports: List[_MediaPort] = []
        self._numbers = itertools.count(1)
        self._port_format = _port_format(self.voice)

    def start(self) -> None:
        self.endpoint = pj.Endpoint()
        self.endpoint.libCreate()
        self.endpoint.libInit(self._endpoint_config())
        transport_id = self.endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, self._transport_config())
        self.endpoint.libStart()
        self.endpoint.audDevManager().setNullDev()  # no sound card: the bridge runs on the null device's clock
        _prefer_codecs(self.endpoint, self.settings.codecs)
        local = self.endpoint.transportGetInfo(transport_id).localName
        self.agent.address = self._address(local)
        account = _Account(self)
        account.create(self._account_config(), True)
        self.account = account
        logger.info("SIP user agent on %s as %s", local, self.agent.address)

    def poll(self) -> None:
        self.endpoint.libHandleEvents(POLL_MS)
        self._drop_finished()
        self._hang_up_overdue()

    def incoming(self, call_id: int) -> None:
        line = _Line(self, call_id, next(self._numbers))
        self.lines[line.number] = line
        logger.info("call %s from %s to %s", line.call.call_id, line.call.caller, line.call.dialled)
        try:
            line.answer_now()
        except pj.Error as error:
            logger.error("call %s: answering failed: %s", line.call.call_id, error.reason)
            line.end()
            return
        self.agent._from_pj_new_call(line.call)

    def media_port(self, line: _Line) -> _MediaPort:
        """An idle port, or a new one, serving `line`'s call."""
        if not self.idle_ports:
            port = _MediaPort(self.voice.frame_bytes)
            port.createPort(f"line-{len(self.ports) + 1}", self._port_format)
            self.ports.append(port)
            self.idle_ports.append(port)
        port = self.idle_ports.pop()
        call, number = line.call, line.number  # the port must not hold the line: that cycle would outlive the call
        hang_up = functools.partial(self.agent.submit, lambda engine: engine.on_line(number, _Line.end))
        port.serve(_PortUser(call._outbox, call._from_clock_audio, hang_up))
        return port

    def on_line(self, number: int, work: Callable[[_Line], T]) -> Optional[T]:
        line = self.lines.get(number)
        return None if line is None or line.ended else work(line)

    def shut_down(self) -> None:
        """Hang up, let the BYEs go out, stop the clock, free ports and calls, then destroy; PJSIP asserts otherwise."""
        if self.endpoint is None:
            return
        if self.account is not None:
            self.endpoint.hangupAllCalls()
            deadline = time.monotonic() + HANGUP_WAIT_S
            while self.lines and time.monotonic() < deadline:
                self.poll()
            self.endpoint.audDevManager().setNoDev()  # no clock, no tick that could still call a port
            for line in self.lines.values():
                line.release()
                line.call._from_pj_disconnected()
            self.lines.clear()
            self.idle_ports.clear()
            self.ports.clear()
            self.account.shutdown()
            self.account = None
        self.endpoint.libDestroy()
        self.endpoint = None

    def _drop_finished(self) -> None:
        while self.finished:
            line = self.lines.pop(self.finished.pop(), None)
            if line is not None:
                line.release()

    def _hang_up_overdue(self) -> None:
        now = time.monotonic()
        for line in self.lines.values():
            if now > line.deadline and not line.ended:
                logger.info("call %s: over sip.call_timeout_s (%s s), hanging up", line.call.call_id,
                            self.settings.call_timeout_s)  # fmt: skip
                line.deadline = float("inf")
                line.end()

    def _endpoint_config(self) -> pj.EpConfig:
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.maxCalls = self.settings.max_calls
        config.uaConfig.userAgent = USER_AGENT
        media = config.medConfig
        media.clockRate = media.sndClockRate = self.voice.sample_rate  # the bridge at the pipeline's rate
        media.audioFramePtime = self.voice.frame_ms
        media.channelCount = 1
        media.noVad = True
        media.ecTailLen = 0  # no echo canceller: there is no loudspeaker next to a microphone here
        level = 5 if pjsip_logger.isEnabledFor(logging.DEBUG) else 2
        config.logConfig.writer = self.log_writer
        config.logConfig.level = config.logConfig.consoleLevel = level
        config.logConfig.decor = pj.PJ_LOG_HAS_SENDER | pj.PJ_LOG_HAS_INDENT
        return config

    def _transport_config(self) -> pj.TransportConfig:
        config = pj.TransportConfig()
        config.port = self.settings.listen_port
        config.boundAddress = _bound(self.settings.listen_host)
        return config

    def _account_config(self) -> pj.AccountConfig:
        settings = self.settings
        config = pj.AccountConfig()
        config.idUri = self.agent.address
        if settings.registrar:
            config.regConfig.registrarUri = settings.registrar
        if settings.password:
            credentials = pj.AuthCredInfo("digest", "*", settings.username, 0, settings.password)
            config.sipConfig.authCreds.append(credentials)
        config.mediaConfig.transportConfig.port = settings.rtp_port_start
        config.mediaConfig.transportConfig.boundAddress = _bound(settings.listen_host)
        return config

    def _address(self, local: str) -> str:
        """The bot's address of record: the user at the registrar's domain, or at this host without one."""
        registrar = self.settings.registrar
        if registrar:
            scheme, _, host = registrar.partition(":")
            return f"{scheme}:{self.settings.username}@{host}"
        return f"sip:{self.settings.username}@{local}"


def _bound(host: str) -> str:
    return "" if host in ("", "0.0.0.0") else host


def _port_format(voice: VoiceSettings) -> pj.MediaFormatAudio:
    audio = pj.MediaFormatAudio()
    audio.type = pj.PJMEDIA_TYPE_AUDIO
    audio.init(pj.PJMEDIA_FORMAT_PCM, voice.sample_rate, 1, voice.frame_ms * 1000, 16)
    return audio


def _prefer_codecs(endpoint: pj.Endpoint, wanted: Tuple[str, ...]) -> None:
    """Only the configured codecs stay on (priority 0 switches a codec off), first one most preferred."""
    available = [info.codecId for info in endpoint.codecEnum2()]
    for codec in available:
        endpoint.codecSetPriority(codec, 0)
    for rank, name in enumerate(wanted):
        matching = [codec for codec in available if codec.upper().startswith(f"{name.upper()}/")]
        if not matching:
            have = ", ".join(available)
            raise SipError(f"codec {name} (sip.codecs in voice/config.yml) is not in this PJSIP build; it has {have}")
        for codec in matching:
            endpoint.codecSetPriority(codec, 255 - rank)


class SipUserAgent:
    """Registers with the PBX (or listens for direct calls), answers each call and hands it to `on_call`.

    `on_call(call)` runs as its own task on the event loop of `start()`; when it returns or raises,
    the call is hung up, and an exception is logged without touching any other call.
    """

    def __init__(self, settings: SipSettings, on_call: OnCall, voice: Optional[VoiceSettings] = None) -> None:
        self.settings = settings
        self.voice = voice or voice_settings.default()
        self.registered = False
        self.address: Optional[str] = None  # where callers reach the bot; known once started (port 0 is chosen then)
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self._on_call = on_call
        self._thread: Optional[threading.Thread] = None
        self._commands: "queue.SimpleQueue[Tuple[Callable[[_Engine], object], concurrent.futures.Future]]" = (
            queue.SimpleQueue()
        )
        self._accepting = False
        self._accepting_lock = threading.Lock()
        self._stopping = threading.Event()
        self._stopped: "concurrent.futures.Future[None]" = concurrent.futures.Future()
        self._first_registration: "concurrent.futures.Future[None]" = concurrent.futures.Future()
        self._handlers: Set["asyncio.Task[None]"] = set()

    async def start(self) -> None:
        """Returns once PJSIP runs and, with a registrar, once the first registration has an outcome."""
        if not _PJSIP_IN_USE.acquire(blocking=False):
            raise SipError("another SipUserAgent runs in this process: PJSIP allows one at a time")
        self.loop = asyncio.get_running_loop()
        self._stopping.clear()
        self._stopped, self._first_registration = concurrent.futures.Future(), concurrent.futures.Future()
        started: "concurrent.futures.Future[None]" = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, args=(started,), name="pjsip", daemon=True)
        self._thread.start()
        await asyncio.wrap_future(started)
        if self.settings.registrar:
            await asyncio.wrap_future(self._first_registration)

    async def stop(self) -> None:
        """Hangs up every call, destroys PJSIP, then gives the call handlers a moment before cancelling them."""
        if self._thread is None:
            return
        self._stopping.set()
        await asyncio.wrap_future(self._stopped)
        self._thread = None
        if self._handlers:
            _, late = await asyncio.wait(set(self._handlers), timeout=HANDLERS_WAIT_S)
            for handler in late:
                handler.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    def submit(self, work: Callable[[_Engine], T]) -> "concurrent.futures.Future[T]":
        """Runs `work` in the PJSIP thread; callable from any thread."""
        future: "concurrent.futures.Future[T]" = concurrent.futures.Future()
        with self._accepting_lock:
            if self._accepting:
                self._commands.put((work, future))
                return future
        future.set_exception(SipError("the SIP user agent is not running"))
        return future

    async def on_line(self, number: int, work: Callable[[_Line], T]) -> Optional[T]:
        """`work(line)` in the PJSIP thread; None when that call is already over."""
        return await asyncio.wrap_future(self.submit(lambda engine: engine.on_line(number, work)))

    def _run(self, started: "concurrent.futures.Future[None]") -> None:
        """The PJSIP thread's whole life; a failed start is reported only once the library is gone again."""
        engine = _Engine(self)
        failure = self._start_engine(engine)
        try:
            if failure is None:
                self._poll_until_stopped(engine, started)
        finally:
            engine.shut_down()
            _PJSIP_IN_USE.release()
            self._stopped.set_result(None)
            if failure is not None:
                started.set_exception(failure)

    def _poll_until_stopped(self, engine: _Engine, started: "concurrent.futures.Future[None]") -> None:
        with self._accepting_lock:
            self._accepting = True
        started.set_result(None)
        try:
            while not self._stopping.is_set():
                engine.poll()
                self._run_commands(engine)
        finally:
            with self._accepting_lock:
                self._accepting = False
            self._run_commands(engine)  # those that came in meanwhile still get their answer

    def _start_engine(self, engine: _Engine) -> Optional[SipError]:
        """Why PJSIP did not start, or None; returned, not raised, so no traceback keeps pjsua2 objects alive."""
        try:
            engine.start()
        except Exception as error:
            reason = error.reason if isinstance(error, pj.Error) else str(error)
            return SipError(f"PJSIP did not start ({self._where()}): {reason}")
        return None

    def _run_commands(self, engine: _Engine) -> None:
        while True:
            try:
                work, future = self._commands.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(work(engine))
                except Exception as error:
                    future.set_exception(error)

    def _where(self) -> str:
        return f"sip.listen_host {self.settings.listen_host}, sip.listen_port {self.settings.listen_port}"

    def _from_pj_registration(self, code: int, reason: str, expiration: int) -> None:
        accepted = code // 100 == 2
        self.registered = accepted and expiration > 0  # accepted with no expiry: our own unregistration at stop()
        if self.registered:
            logger.info("registered at %s for %s s", self.settings.registrar, expiration)
        elif not accepted:
            logger.error("registration at %s failed: %s %s", self.settings.registrar, code, reason)
        if not self._first_registration.done():
            self._first_registration.set_result(None)

    def _from_pj_new_call(self, call: SipCall) -> None:
        call._post(self._begin, call)

    def _begin(self, call: SipCall) -> None:
        handler = asyncio.create_task(self._serve(call), name=f"sip-call-{call.call_id}")
        self._handlers.add(handler)
        handler.add_done_callback(self._handlers.discard)

    async def _serve(self, call: SipCall) -> None:
        try:
            await self._on_call(call)
        except Exception:
            logger.exception("call %s from %s failed; hanging up", call.call_id, call.caller)
        finally:
            await call.hangup()
