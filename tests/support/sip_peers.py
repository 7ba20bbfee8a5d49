"""Real SIP peers on 127.0.0.1 for the phone tests: kamailio as registrar and proxy, baresip as phones.

Configs are derived from the reference ones in `../shared/telephony/`, with free ports and paths
of the test's own temporary directory. Every process is started and stopped by the PID of our
own child, never by name, and its output is kept in a log that failure messages include.

What had to be found out (Debian 12: kamailio 5.6.3, baresip 1.0.0):

- kamailio with `-DD -E` stays in the foreground (its children too) and logs to stderr; SIGTERM
  to our child stops them all, nearly always (see `Peer.stop`). The reference config's two pyVoIP
  workarounds are dropped: PJSIP parses baresip's empty `Supported:` header and routes in-dialog
  requests by their Route headers.
- baresip's `aufile` source only plays WAVs at the codec's rate (8000 Hz for G.711) and the call
  is closed when the file ends; so a phone's WAV is 8 kHz, padded with silence. `sndfile` writes
  what the phone heard as `dump-*-dec.wav` (and what it sent as `-enc.wav`), finished at hang-up.
- baresip 1.0 ignores `sip_transports` and always opens SIP/TLS on TCP port `sip_listen`+1 as
  well; that port must be free too (CI once lost it to an outgoing connection's ephemeral port).
- `ctrl_tcp` speaks netstring-framed JSON: commands `{"command", "params", "token"}`, answers
  `{"response": true, "ok", "data", "token"}` and events `{"event": true, "type", "peeruri", ...}`.
  A phone's registration may finish before we connect, so it is asked for (`reginfo`), not awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from tests.support.shared_files import shared
from voice.audio import pcm as pcm_audio

REFERENCE = shared("telephony")
PACKAGES = "apt packages kamailio, baresip-core (scripts/test-packages.txt)"
PROGRAMS = ("kamailio", "baresip")
HOST = "127.0.0.1"
PHONE_RATE = 8000  # baresip's aufile plays only WAVs at the G.711 codec's rate
START_SECONDS = 10
STOP_SECONDS = 5
RTP_PORTS_PER_PHONE = 40
PORT_ATTEMPTS = 3
GATEWAY_START_SECONDS = 120  # loads the speech models and registers
PYVOIP_WORKAROUND = re.compile(r"^[ \t]*# pyVoIP[^\n]*\n[^\n]*\n", re.MULTILINE)  # the comment and its statement


class PeerError(RuntimeError):
    pass


def missing_programs() -> Optional[str]:
    """Why the phone tests cannot run here, or None."""
    missing = [program for program in PROGRAMS if shutil.which(program) is None]
    if missing:
        return f"{', '.join(missing)} not installed: {PACKAGES}"
    return None


def free_port() -> int:
    """A port free for both UDP and TCP (kamailio listens on both), chosen by the kernel."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((HOST, 0))
            port = tcp.getsockname()[1]
            if _udp_free(port):
                return port


def free_sip_port() -> int:
    """A port for baresip's `sip_listen`: UDP and TCP free there, and TCP free on the next port for its TLS."""
    while True:
        port = free_port()
        if _tcp_free(port + 1):
            return port


def free_even_port() -> int:
    """RTP takes an even port and RTCP the next one. (Linux hands out odd ports for bind(0), so one is rounded down.)"""
    while True:
        port = free_port() & ~1
        if _udp_free(port) and _udp_free(port + 1):
            return port


def _udp_free(port: int) -> bool:
    return _bindable(socket.SOCK_DGRAM, port)


def _tcp_free(port: int) -> bool:
    return _bindable(socket.SOCK_STREAM, port)


def _bindable(kind: int, port: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


@dataclass
class Peer:
    """One of our child processes, leading its own process group (kamailio forks workers), with its log."""

    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM to our child, then SIGKILL to what is left of its group.

        Now and then a kamailio worker deadlocks in its own SIGTERM handler (a shared-memory lock,
        SIGTERM blocked) and outlives the main process; the group is ours, so it goes too.
        """
        if self.alive():
            self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _start(name: str, command: List[str], directory: Path) -> Peer:
    log_path = directory / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=directory, start_new_session=True)
    return Peer(name, process, log_path)


def _wait_until(peer: Peer, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not condition():
        if not peer.alive() or time.monotonic() > deadline:
            raise PeerError(f"gave up waiting for {what} (exit code {peer.process.poll()}):\n{peer.log()}")
        time.sleep(0.05)


@dataclass
class Kamailio:
    peer: Peer
    port: int

    @property
    def registrar(self) -> str:
        return f"sip:{HOST}:{self.port}"

    def uri(self, user: str) -> str:
        return f"sip:{user}@{HOST}:{self.port}"


def kamailio_config(port: int, control_socket: Path) -> str:
    """The reference registrar/proxy on our port, without the pyVoIP workarounds PJSIP does not need."""
    reference = (REFERENCE / "kamailio-loopback.cfg").read_text()
    config, removed = PYVOIP_WORKAROUND.subn("", reference)
    if removed != 2 or "pyVoIP" in config or "5060" not in config:
        raise PeerError(f"{REFERENCE / 'kamailio-loopback.cfg'} changed: cannot find its two pyVoIP workarounds")
    return config.replace("KAMAILIO_CTL_SOCKET", str(control_socket)).replace("5060", str(port))


@contextlib.contextmanager
def kamailio(directory: Path) -> Iterator[Kamailio]:
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = directory / "kamailio.cfg"
    config.write_text(kamailio_config(port, directory / "kamailio.ctl"))
    peer = _start("kamailio", ["kamailio", "-f", str(config), "-DD", "-E", "-m", "32", "-M", "4"], directory)
    try:
        _wait_until(peer, lambda: _answers_options(port), f"kamailio to answer OPTIONS on {HOST}:{port}")
        yield Kamailio(peer, port)
    finally:
        peer.stop()


def _answers_options(port: int) -> bool:
    """An OPTIONS to the proxy itself is answered 200 by the reference config: the SIP side is up."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((HOST, 0))
        probe.settimeout(0.2)
        own = probe.getsockname()[1]
        tag = uuid.uuid4().hex
        request = (
            f"OPTIONS sip:{HOST}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {HOST}:{own};branch=z9hG4bK{tag}\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:probe@{HOST}>;tag={tag}\r\n"
            f"To: <sip:{HOST}:{port}>\r\n"
            f"Call-ID: {tag}@{HOST}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        probe.sendto(request.encode(), (HOST, port))
        try:
            answer = probe.recv(4096)
        except OSError:
            return False
    return answer.startswith(b"SIP/2.0 200")


class Control:
    """baresip's ctrl_tcp on the test's event loop: commands with answers, and every event kept in order."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.events: List[Dict[str, Any]] = []
        self._reader, self._writer = reader, writer
        self._answers: Dict[str, "asyncio.Future[Dict[str, Any]]"] = {}
        self._tokens = itertools.count(1)
        self._taken = 0  # events before this index have been returned by next_event
        self._arrived = asyncio.Event()
        self._reading = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, port: int) -> "Control":
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                return cls(*await asyncio.open_connection(HOST, port))
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def command(self, name: str, params: Optional[str] = None, timeout: float = 5) -> Dict[str, Any]:
        token = str(next(self._tokens))
        answer = asyncio.get_running_loop().create_future()
        self._answers[token] = answer
        body = json.dumps({"command": name, "params": params, "token": token}).encode()
        self._writer.write(b"%d:%s," % (len(body), body))
        await self._writer.drain()
        response = await asyncio.wait_for(answer, timeout)
        if not response.get("ok"):
            raise PeerError(f"baresip refused {name} {params or ''}: {response}")
        return response

    async def next_event(self, kind: str, timeout: float) -> Dict[str, Any]:
        """The first event of `kind` after those already returned: e.g. CALL_ESTABLISHED, then CALL_CLOSED."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for index in range(self._taken, len(self.events)):
                if self.events[index]["type"] == kind:
                    self._taken = index + 1
                    return self.events[index]
            self._arrived.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or self._reading.done():
                seen = [event["type"] for event in self.events]
                raise PeerError(f"no {kind} from baresip within {timeout} s; events: {seen}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def close(self) -> None:
        self._reading.cancel()
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()

    async def _read(self) -> None:
        while True:
            length = await self._reader.readuntil(b":")
            message = json.loads(await self._reader.readexactly(int(length[:-1])))
            await self._reader.readexactly(1)  # the netstring's closing comma
            if message.get("response"):
                answer = self._answers.pop(message.get("token"), None)
                if answer is not None and not answer.done():
                    answer.set_result(message)
            elif message.get("event"):
                self.events.append(message)
                self._arrived.set()


@dataclass
class Phone:
    """A headless baresip phone: plays its WAV as the microphone, records what it hears."""

    user: str
    peer: Peer
    control_port: int
    recordings: Path
    _control: Optional[Control] = field(default=None, repr=False)

    @property
    def control(self) -> Control:
        if self._control is None:
            raise PeerError(f"phone {self.user}: call `await phone.connect()` first")
        return self._control

    async def connect(self) -> "Phone":
        """Opens ctrl_tcp and waits until the phone is registered at kamailio."""
        self._control = await Control.connect(self.control_port)
        deadline = time.monotonic() + START_SECONDS
        while not await self.registered():
            if time.monotonic() > deadline:
                raise PeerError(f"phone {self.user} did not register:\n{self.peer.log()}")
            await asyncio.sleep(0.1)
        return self

    async def registered(self) -> bool:
        info = (await self.control.command("reginfo"))["data"]
        return re.search(r"\bOK\b", re.sub(r"\x1b\[[0-9;]*m", "", info)) is not None

    async def dial(self, uri: str) -> None:
        await self.control.command("dial", uri)

    async def hangup(self) -> None:
        await self.control.command("hangup")

    async def press(self, keys: str, gap_s: float = 0.25) -> None:
        """Keypad presses as RFC 4733 events, one command per key, spaced like a person pressing them."""
        for key in keys:
            await self.control.command("sndcode", key)
            await asyncio.sleep(gap_s)

    async def next_event(self, kind: str, timeout: float = 10) -> Dict[str, Any]:
        return await self.control.next_event(kind, timeout)

    def heard(self) -> Tuple[bytes, int]:
        """What the phone heard in its latest call, as PCM and rate; complete once the call has closed."""
        recordings = sorted(self.recordings.glob("*-dec.wav"))
        if not recordings:
            raise PeerError(f"phone {self.user} recorded nothing in {self.recordings}:\n{self.peer.log()}")
        return pcm_audio.read_wav(recordings[-1])

    async def close(self) -> None:
        if self._control is not None:
            await self._control.close()
            self._control = None


def phone_config(sip_port: int, rtp_port: int, control_port: int, source: Path, recordings: Path) -> str:
    """The reference headless caller, on our ports and files."""
    reference = (REFERENCE / "baresip-caller.config").read_text()
    replacements = {
        "sip_listen": f"{HOST}:{sip_port}",
        "rtp_ports": f"{rtp_port}-{rtp_port + RTP_PORTS_PER_PHONE - 1}",
        "ctrl_tcp_listen": f"{HOST}:{control_port}",
        "audio_source": f"aufile,{source}",
        "snd_path": str(recordings),
    }
    for key, value in replacements.items():
        reference, replaced = re.subn(rf"^{key}\s.*$", f"{key}\t\t{value}", reference, flags=re.MULTILINE)
        if replaced != 1:
            raise PeerError(f"{REFERENCE / 'baresip-caller.config'} changed: no single `{key}` line")
    return reference


def phone_account(user: str, registrar: Kamailio) -> str:
    """The reference account line for `user` at our kamailio (answermode=auto: the agent's phone picks up)."""
    reference = (REFERENCE / "baresip-caller.accounts").read_text().strip()
    account, replaced = re.subn(r"<sip:[^>]*>", f"<{registrar.uri(user)}>", reference)
    if replaced != 1 or "answermode=auto" not in account:
        raise PeerError(f"{REFERENCE / 'baresip-caller.accounts'} changed: expected one auto-answering account")
    return account + "\n"


def phone_wav(directory: Path, speech: bytes, speech_rate: int, seconds: float) -> Path:
    """The phone's microphone: `speech` then silence up to `seconds` (baresip hangs up when its WAV ends)."""
    audio = pcm_audio.resample(speech, speech_rate, PHONE_RATE)
    silence_ms = max(0, round((seconds - pcm_audio.duration_s(audio, PHONE_RATE)) * 1000))
    path = directory / "microphone.wav"
    pcm_audio.write_wav(path, audio + pcm_audio.silence(silence_ms, PHONE_RATE), PHONE_RATE)
    return path


@contextlib.contextmanager
def phone(directory: Path, user: str, registrar: Kamailio, speech: bytes, speech_rate: int,
          seconds: float = 60) -> Iterator[Phone]:  # fmt: skip
    """A baresip registered as `user` at `registrar`, saying `speech` at the start of each call."""
    directory.mkdir(parents=True, exist_ok=True)
    recordings = directory / "heard"
    recordings.mkdir(exist_ok=True)
    source = phone_wav(directory, speech, speech_rate, seconds)
    (directory / "accounts").write_text(phone_account(user, registrar))
    peer, control_port = _start_phone(directory, user, source, recordings)
    try:
        yield Phone(user, peer, control_port, recordings)
    finally:
        peer.stop()


def _start_phone(directory: Path, user: str, source: Path, recordings: Path) -> Tuple[Peer, int]:
    """baresip on fresh free ports, listening on ctrl_tcp; started again on new ports if another
    process took one of them between our check and baresip's bind."""
    for _ in range(PORT_ATTEMPTS):
        control_port = free_port()
        config = phone_config(free_sip_port(), free_even_port(), control_port, source, recordings)
        (directory / "config").write_text(config)
        peer = _start(f"baresip-{user}", ["baresip", "-f", str(directory)], directory)
        try:
            _wait_until(peer, lambda: _accepts(control_port), f"baresip's ctrl_tcp on {HOST}:{control_port}")
            return peer, control_port
        except PeerError:
            peer.stop()
            if "Address already in use" not in peer.log():
                raise
    raise PeerError(f"baresip found its ports taken {PORT_ATTEMPTS} times:\n{peer.log()}")


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
        return True
    return False


@dataclass
class Gateway:
    """A running `kundesenter phone`: its call records land in `calls`; `returncode` is set once it stopped."""

    calls: Path
    log_path: Path
    returncode: Optional[int] = None


@contextlib.contextmanager
def phone_gateway(running: Any, registrar: Kamailio, agent_user: str, work: Path) -> Iterator[Gateway]:
    """`kundesenter phone` registered as "bot" at `registrar`, transferring hand-overs to `agent_user`;
    stopped with SIGTERM by its PID, as a service manager would."""
    from bot import project

    work.mkdir(parents=True, exist_ok=True)
    gateway = Gateway(work / "calls", work / "gateway.log")
    command = [
        str(project.ROOT / ".venv/bin/kundesenter"), "phone",
        "--rasa-url", running.rasa_url, "--desk-url", running.desk_url,
        "--sip-host", HOST, "--sip-port", str(free_port()), "--rtp-port", str(free_even_port()),
        "--registrar", registrar.registrar, "--username", "bot",
        "--twilio-port", "0", "--agent-queue-uri", registrar.uri(agent_user), "--calls-dir", str(gateway.calls),
    ]  # fmt: skip
    with gateway.log_path.open("w") as log:
        process = subprocess.Popen(command, env={**running.env, "PYTHONUNBUFFERED": "1"}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + GATEWAY_START_SECONDS
        while "SIP:" not in gateway.log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise PeerError(f"kundesenter phone did not start:\n{gateway.log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield gateway
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        gateway.returncode = process.returncode
