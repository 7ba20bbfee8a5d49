"""A private PulseAudio server with a virtual microphone and speaker, so tests play and record real audio headless.

Machines here have no sound card: PortAudio finds no device at all. A PulseAudio daemon of our
own, in user mode, gives real-time virtual devices:

- sink "speaker": what the bot plays; its monitor `speaker.monitor` is recorded with `parec`;
- sink "mic": the test plays a WAV into it with `paplay`; source "microphone" (a remap of
  `mic.monitor`, the default source) is what a program recording from the default device hears.

Why it is set up this way (each found by trying on these machines, PulseAudio 16.1):

- As root, PulseAudio only warns ("not intended to be run as root") in user mode when started
  with `--daemonize=no`, `-n` (no default script) and `-F` our own script; no `--system` needed.
  `--realtime=no --high-priority=no --use-pid-file=no` keep it away from rtkit, D-Bus and a PID
  file: it is started and stopped by the PID of our own child process.
- HOME and the XDG directories point into the temporary directory, so no cookie, state or
  configuration of the user is read or written; `auth-anonymous=1` makes the cookie unnecessary.
- `norewinds=1` on the null sinks: without it a client connecting with a small latency makes the
  sink rewind, and `parec` on the monitor records the same audio twice or loses some.
- PortAudio reaches PulseAudio through ALSA's pulse plugin (Debian libasound2-plugins). A private
  `~/.asoundrc` makes ALSA's default device that plugin, and PULSE_SERVER names our socket. Both
  are read when PortAudio initialises, i.e. when `sounddevice` is imported, so the program under
  test must start with `environment` (a subprocess), not be imported into the test process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional

START_SECONDS = 10
RECORDER_START_SECONDS = 5  # parec needs about half a second before its first bytes
SAMPLE_FORMAT = "s16le"  # the pipeline's PCM format
PROGRAMS = ("pulseaudio", "pactl", "paplay", "parec")
PACKAGES = "apt packages pulseaudio, pulseaudio-utils, libasound2-plugins (scripts/test-packages.txt)"

SERVER_SCRIPT = """\
load-module module-native-protocol-unix socket={socket} auth-anonymous=1
load-module module-null-sink sink_name=speaker norewinds=1 sink_properties=device.description=speaker
load-module module-null-sink sink_name=mic norewinds=1 sink_properties=device.description=mic
load-module module-remap-source master=mic.monitor source_name=microphone
set-default-sink speaker
set-default-source microphone
"""

ALSA_TO_PULSE = """\
pcm.!default { type pulse }
ctl.!default { type pulse }
"""


class PulseAudioError(RuntimeError):
    pass


def missing_programs() -> Optional[str]:
    """Why the audio tests cannot run here, or None."""
    missing = [program for program in PROGRAMS if shutil.which(program) is None]
    return f"{', '.join(missing)} not installed: {PACKAGES}" if missing else None


def private_home(directory: Path) -> Dict[str, str]:
    """The environment of a user whose home, runtime and configuration directories are all inside `directory`."""
    home = directory / "home"
    paths = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_RUNTIME_DIR": directory / "runtime",
        "PULSE_RUNTIME_PATH": directory / "runtime",
    }
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    (directory / "runtime").chmod(0o700)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PULSE_", "ALSA_"))}
    return {**environment, **{key: str(path) for key, path in paths.items()}}


def without_audio(directory: Path) -> Dict[str, str]:
    """An environment in which PortAudio finds no device: ALSA's only device is a PulseAudio that is not running.

    ALSA_CONFIG_PATH replaces the system's alsa.conf, so no sound card of the machine is seen either.
    (An empty file, or one with just `pcm {}`, makes PortAudio abort the process instead.)
    """
    environment = private_home(directory)
    alsa = directory / "alsa-to-nowhere.conf"
    alsa.write_text(ALSA_TO_PULSE)
    return {**environment, "PULSE_SERVER": f"unix:{directory / 'no-server-here'}", "ALSA_CONFIG_PATH": str(alsa)}


@dataclass
class Recording:
    path: Path
    rate: int

    def audio(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class PrivatePulseAudio:
    directory: Path
    process: subprocess.Popen
    environment: Dict[str, str]  # for every client: paplay, parec and the program under test

    def play_into_microphone(self, wav: Path) -> subprocess.Popen:
        """Starts playing and returns at once; wait on the process to know when the WAV has been heard."""
        return subprocess.Popen(["paplay", "--device=mic", str(wav)], env=self.environment)

    @contextlib.contextmanager
    def recording_speaker(self, path: Path, rate: int) -> Iterator[Recording]:
        """Records everything played on the speaker while the block runs, as mono PCM at `rate`."""
        command = [
            "parec",
            "--device=speaker.monitor",
            f"--format={SAMPLE_FORMAT}",
            f"--rate={rate}",
            "--channels=1",
            "--raw",
            "--latency-msec=20",
        ]
        with path.open("wb") as output:
            recorder = subprocess.Popen(command, stdout=output, env=self.environment)
        try:
            _wait_until(lambda: path.stat().st_size > 0, RECORDER_START_SECONDS, "parec to start recording", recorder)
            yield Recording(path, rate)
        finally:
            recorder.send_signal(signal.SIGINT)  # parec writes what it holds and exits
            recorder.wait(timeout=START_SECONDS)

    def log(self) -> str:
        return (self.directory / "pulseaudio.log").read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def private_pulseaudio(directory: Path) -> Iterator[PrivatePulseAudio]:
    environment = private_home(directory)
    (Path(environment["HOME"]) / ".asoundrc").write_text(ALSA_TO_PULSE)
    socket = directory / "runtime" / "native"
    script = directory / "server.pa"
    script.write_text(SERVER_SCRIPT.format(socket=socket))
    environment["PULSE_SERVER"] = f"unix:{socket}"
    command = [
        "pulseaudio",
        "--daemonize=no",
        "--exit-idle-time=-1",
        "-n",
        "-F",
        str(script),
        "--realtime=no",
        "--high-priority=no",
        "--use-pid-file=no",
        "--log-target=stderr",
    ]
    with (directory / "pulseaudio.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    server = PrivatePulseAudio(directory, process, environment)
    try:
        _wait_until(lambda: _answers(environment), START_SECONDS, "PulseAudio to answer", process, server.log)
        yield server
    finally:
        server.stop()


def _answers(environment: Dict[str, str]) -> bool:
    return (
        subprocess.run(["pactl", "info"], env=environment, capture_output=True, timeout=START_SECONDS).returncode == 0
    )


def _wait_until(
    condition: Callable[[], bool], seconds: float, what: str, process: subprocess.Popen, log: Callable[[], str] = str
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            raise PulseAudioError(f"gave up waiting for {what} (exit code {process.poll()}):\n{log()}")
        time.sleep(0.05)
