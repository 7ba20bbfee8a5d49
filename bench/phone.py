"""Phone-line benchmark: how many concurrent SIP calls two cores carry without audio gaps, and turn latency by phone.

`python -m bench.phone [--quick] [--only PART ...]` measures, with real SIP peers on 127.0.0.1
(kamailio as the PBX, headless baresip phones as callers, `tests/support/sip_peers.py`):

1. `lines`: a `SipUserAgent` in this process answers N callers who all dial at once. Each call's
   handler streams a 10 s tone with `play()` in 200 ms pieces (kept one piece ahead, as a streaming
   synthesiser would) while consuming `receive()` the whole time, as a real call does. Measured on
   the bot's side: the largest interval between two received frames and how many exceed 40 ms, the
   clock thread's intervals between outbound frame requests, and underruns (the clock asked for a
   frame while the prompt was playing and nothing was queued: the caller hears a hole). On the
   phone's side: the prompt's audible time in baresip's recording against the tone's length, and
   silent 20 ms windows inside it (holes). The baresip callers and kamailio run on the same two
   cores, so the bot shares them with its callers: a harder case than a real deployment.
2. `turns`: `kundesenter phone` (a subprocess) with the real Rasa, action server and back-end; a
   baresip caller types a tracking number ending with '#' again and again. Measured from the
   moment the '#' command is sent to the first audible bot audio in the caller's recording, and,
   separately, the gateway's own TurnTiming from its call record (`rasa_s`, `first_audio_s`).

The timing of anything here depends on the machine, so nothing is asserted (see bench/__init__.py).
Results go to results/bench-phone.{json,md}. Nothing in voice/ is changed to measure: the outbound
side is counted by swapping `voice.transports.sip._Outbox` for a counting subclass in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from bench import command_line, machine, markdown_table, percentile, wait_for_quiet
from voice import settings as voice_settings
from voice.audio import pcm
from voice.settings import SipSettings
from voice.transports import sip as sip_transport
from voice.transports.base import DtmfDigit

PARTS = ("lines", "turns")
VOICE = voice_settings.default()
RATE = VOICE.sample_rate
FRAME_MS = VOICE.frame_ms
PROMPT_HZ = 440.0
AUDIBLE_RMS = 300.0  # the tone on the line; G.711 silence decodes to (nearly) zero
GAP_MS = 40.0  # a received-frame interval over this is a gap (two frames' time)
CARRIED_GAP_MS = 60.0  # a level is carried when no interval exceeds this and the recordings have no holes
PIECE_MS = 200  # the prompt is played in pieces of this, one piece queued ahead
ANSWER_S = 30.0
TRACKING_KEYS = "370701234500000017#"
KEY_GAP_S = 0.3  # baresip sends each key as an RFC 4733 event of its own length: faster typing queues them up
HASH_PAUSE_S = 0.5  # between the number and '#', so '#' does not wait behind the number's events at the phone
TURN_WAIT_S = 12.0  # after '#': the answer, and a margin, before the next number is typed
ONSET_SILENCE_MS = 200  # audio that starts after at least this much silence is a new prompt


@dataclass(frozen=True)
class Sizes:
    """How much to measure; `--quick` is a smoke check of every part, not a measurement."""

    call_counts: Tuple[int, ...]
    prompt_s: float
    turns: int
    dtmf_presses: int


FULL = Sizes((1, 2, 4, 8, 12, 16), 10.0, 10, 10)
QUICK = Sizes((1, 4), 4.0, 3, 3)


def tone(seconds: float, rate: int = RATE, hz: float = PROMPT_HZ) -> bytes:
    """A tone has an exact length and is loud in every window, so a hole in it is unambiguous."""
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * hz * t) * 8000).astype("<i2").tobytes()


def loud_windows(audio: bytes, rate: int) -> List[bool]:
    return [pcm.rms(window) > AUDIBLE_RMS for window in pcm.frames(audio, rate, FRAME_MS)]


def intervals_ms(times: Sequence[float]) -> List[float]:
    return [(b - a) * 1000 for a, b in zip(times, times[1:])]


def process_cpu_s(pids: Sequence[int]) -> float:
    """User + system CPU seconds of other processes (the phones), from /proc/<pid>/stat; 0 for a gone one."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- 1. concurrent calls ---------------------------------------------------------------------------


class CountingOutbox(sip_transport._Outbox):
    """The outbox with a clock: when the bridge asked for each frame, and which requests found it empty mid-prompt.

    `prompting` is set by the bench's handler while its prompt is being played; a silence fill then
    is an underrun. Runs in the bridge's clock thread like the original, so it only appends.
    """

    def __init__(self, frame_bytes: int) -> None:
        super().__init__(frame_bytes)
        self.prompting = False
        self.requests: List[float] = []
        self.underruns = 0

    def take(self) -> bytes:
        self.requests.append(time.monotonic())
        with self._lock:
            empty = not self._frames
        if empty and self.prompting:
            self.underruns += 1
        return super().take()


@contextlib.contextmanager
def counting_outboxes() -> Iterator[None]:
    """SipCall builds its outbox from the module's `_Outbox` name: swapped here, for this process only."""
    original = sip_transport._Outbox
    sip_transport._Outbox = CountingOutbox  # type: ignore[misc]
    try:
        yield
    finally:
        sip_transport._Outbox = original  # type: ignore[misc]


@dataclass
class BotSide:
    """One call as the bench's handler saw it."""

    caller: Optional[str]
    arrivals: List[float] = field(default_factory=list)
    digits: List[float] = field(default_factory=list)  # when each keypad digit reached the handler
    outbox: Optional[CountingOutbox] = None
    prompt_started: Optional[float] = None
    prompt_ended: Optional[float] = None
    played: Optional[bool] = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class PromptingBot:
    """The handler: plays the prompt in pieces, one piece ahead, and reads every frame until the caller leaves."""

    def __init__(self, prompt: bytes) -> None:
        self.pieces = [prompt[i : i + RATE * 2 * PIECE_MS // 1000] for i in range(0, len(prompt), RATE * 2 * PIECE_MS // 1000)]
        self.calls: List[BotSide] = []

    async def __call__(self, call: sip_transport.SipCall) -> None:
        side = BotSide(call.caller, outbox=call._outbox)  # type: ignore[arg-type]
        self.calls.append(side)
        speaking = asyncio.create_task(self._speak(call, side))
        try:
            async for item in call.receive():
                if isinstance(item, DtmfDigit):
                    side.digits.append(time.monotonic())
                else:
                    side.arrivals.append(time.monotonic())
            side.played = await speaking
        finally:
            speaking.cancel()
            side.ended.set()

    async def _speak(self, call: sip_transport.SipCall, side: BotSide) -> bool:
        """Piece k is queued once piece k-2 has played, so about one piece is always queued ahead of the clock."""
        outbox = side.outbox
        assert outbox is not None
        outbox.prompting = True
        side.prompt_started = time.monotonic()
        playing: List["asyncio.Task[bool]"] = []
        try:
            for piece in self.pieces:
                if len(playing) >= 2 and not await playing[-2]:
                    return False
                playing.append(asyncio.create_task(call.play(piece)))
            return all(await asyncio.gather(*playing))
        finally:
            outbox.prompting = False
            side.prompt_ended = time.monotonic()


def recording_holes(audio: bytes, rate: int) -> Tuple[float, float, int]:
    """(audible seconds, span from the first to the last audible window, silent windows inside that span)."""
    loud = loud_windows(audio, rate)
    marked = [i for i, is_loud in enumerate(loud) if is_loud]
    if not marked:
        return 0.0, 0.0, 0
    span = loud[marked[0] : marked[-1] + 1]
    return len(marked) * FRAME_MS / 1000, len(span) * FRAME_MS / 1000, span.count(False)


def _bot_row(side: BotSide) -> Dict[str, Any]:
    gaps = intervals_ms(side.arrivals)
    outbox = side.outbox
    assert outbox is not None
    # the clock's requests while the prompt played: late ones are where the caller's audio stutters
    requests = [t for t in outbox.requests if side.prompt_started and side.prompt_ended and side.prompt_started <= t <= side.prompt_ended]
    request_gaps = intervals_ms(requests)
    return {
        "frames_received": len(side.arrivals),
        "max_receive_gap_ms": round(max(gaps), 1) if gaps else None,
        "receive_gaps_over_40ms": sum(g > GAP_MS for g in gaps),
        "max_request_gap_ms": round(max(request_gaps), 1) if request_gaps else None,
        "request_gaps_over_40ms": sum(g > GAP_MS for g in request_gaps),
        "underruns": outbox.underruns,
        "played_whole": side.played,
    }


async def _one_level(agent: Any, bot: PromptingBot, phones: Sequence[Any], kamailio: Any, prompt_s: float) -> Dict[str, Any]:
    """All N phones dial at once; the calls last the prompt and a second; then the phones hang up."""
    n = len(phones)
    before = {phone.user: set(phone.recordings.glob("*-dec.wav")) for phone in phones}
    bot.calls.clear()
    cpu0, phones_cpu0, wall0 = own_cpu_s(), process_cpu_s([p.peer.process.pid for p in phones]), time.monotonic()
    await asyncio.gather(*(phone.dial(kamailio.uri("bot")) for phone in phones))
    await asyncio.gather(*(phone.next_event("CALL_ESTABLISHED", timeout=ANSWER_S) for phone in phones))
    deadline = time.monotonic() + ANSWER_S
    while len(bot.calls) < n or any(side.prompt_ended is None for side in bot.calls):
        if time.monotonic() > deadline + prompt_s:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    cpu, phones_cpu, wall = own_cpu_s() - cpu0, process_cpu_s([p.peer.process.pid for p in phones]) - phones_cpu0, time.monotonic() - wall0
    await asyncio.gather(*(phone.hangup() for phone in phones))
    await asyncio.gather(*(phone.next_event("CALL_CLOSED", timeout=ANSWER_S) for phone in phones))
    for side in bot.calls:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(side.ended.wait(), 5)
    await asyncio.sleep(0.5)  # sndfile finishes the WAV at hang-up
    bot_rows = [_bot_row(side) for side in bot.calls]
    phone_rows = []
    for phone in phones:
        new = sorted(set(phone.recordings.glob("*-dec.wav")) - before[phone.user])
        if not new:
            phone_rows.append({"recorded": False})
            continue
        audio, rate = pcm.read_wav(new[-1])
        audible, span, holes = recording_holes(audio, rate)
        phone_rows.append({"recorded": True, "audible_s": round(audible, 2), "span_s": round(span, 2), "holes": holes})
    return summarise_level(n, prompt_s, bot_rows, phone_rows, cpu, phones_cpu, wall)


def summarise_level(n: int, prompt_s: float, bots: List[Dict[str, Any]], phones: List[Dict[str, Any]],
                    cpu_s: float, phones_cpu_s: float, wall_s: float) -> Dict[str, Any]:  # fmt: skip
    def worst(key: str) -> Optional[float]:
        values = [row[key] for row in bots if row.get(key) is not None]
        return max(values) if values else None

    recorded = [row for row in phones if row.get("recorded")]
    max_gap = worst("max_receive_gap_ms")
    holes = sum(row["holes"] for row in recorded)
    shortest = min((row["audible_s"] for row in recorded), default=0.0)
    underruns = sum(row["underruns"] for row in bots)
    carried = (
        len(bots) == n and len(recorded) == n and max_gap is not None and max_gap <= CARRIED_GAP_MS
        and holes == 0 and underruns == 0 and shortest >= prompt_s - 0.1
    )  # fmt: skip
    return {
        "calls": n,
        "answered": len(bots),
        "max_receive_gap_ms": max_gap,
        "receive_gaps_over_40ms": sum(row["receive_gaps_over_40ms"] for row in bots),
        "max_request_gap_ms": worst("max_request_gap_ms"),
        "request_gaps_over_40ms": sum(row["request_gaps_over_40ms"] for row in bots),
        "underruns": underruns,
        "recordings": len(recorded),
        "shortest_audible_s": round(shortest, 2),
        "holes": holes,
        "prompt_s": prompt_s,
        "bot_cpu_share": round(cpu_s / wall_s / (os.cpu_count() or 1), 3),
        "bot_cpu_pct_per_call": round(100 * cpu_s / wall_s / n, 1),
        "phones_cpu_share": round(phones_cpu_s / wall_s / (os.cpu_count() or 1), 3),
        "carried": carried,
        "per_call": {"bot": bots, "phones": phones},
    }


async def _lines_async(sizes: Sizes, work: Path) -> Dict[str, Any]:
    from tests.support import sip_peers

    prompt = tone(sizes.prompt_s)
    caller_audio = tone(2.0, hz=300.0)  # the callers say something too, so received frames carry audio
    largest = max(sizes.call_counts)
    levels: List[Dict[str, Any]] = []
    with contextlib.ExitStack() as running:
        kamailio = running.enter_context(sip_peers.kamailio(work / "kamailio"))
        phones = [
            running.enter_context(sip_peers.phone(work / f"caller{i}", f"caller{i}", kamailio, caller_audio, RATE, seconds=600))
            for i in range(largest)
        ]
        for phone in phones:
            await phone.connect()
        settings: SipSettings = dataclasses.replace(
            voice_settings.load_sip(), listen_host=sip_peers.HOST, listen_port=sip_peers.free_port(),
            registrar=kamailio.registrar, username="bot", password=None, rtp_port_start=sip_peers.free_even_port(),
            max_calls=max(largest, 1),
        )  # fmt: skip
        bot = PromptingBot(prompt)
        with counting_outboxes():
            agent = sip_transport.SipUserAgent(settings, bot, VOICE)
            await agent.start()
            try:
                dtmf = await _dtmf_delivery(bot, phones[0], kamailio, sizes.dtmf_presses)
                print(f"  DTMF '#' sent -> digit in the handler: {dtmf}", file=sys.stderr, flush=True)
                for n in sizes.call_counts:
                    await asyncio.to_thread(wait_for_quiet, 0.15, 3.0, 120.0)
                    level = await _one_level(agent, bot, phones[:n], kamailio, sizes.prompt_s)
                    levels.append(level)
                    print(f"  calls={n:2d}: {_brief(level)}", file=sys.stderr, flush=True)
                    await asyncio.sleep(1.0)
            finally:
                await agent.stop()
                for phone in phones:
                    await phone.close()
    carried = [level["calls"] for level in levels if level["carried"]]
    largest_carried = 0
    for level in levels:  # the largest N below which every level was carried too
        if not level["carried"]:
            break
        largest_carried = level["calls"]
    return {"levels": levels, "dtmf": dtmf, "largest_carried": largest_carried, "carried_levels": carried, "prompt_s": sizes.prompt_s}


async def _dtmf_delivery(bot: PromptingBot, phone: Any, kamailio: Any, presses: int) -> Dict[str, Any]:
    """One call, '#' pressed `presses` times a second apart: from the ctrl_tcp command to the DtmfDigit in the handler.

    It is the part of the phone path's turn latency that neither Rasa nor the gateway's TurnTiming sees.
    """
    bot.calls.clear()
    await phone.dial(kamailio.uri("bot"))
    await phone.next_event("CALL_ESTABLISHED", timeout=ANSWER_S)
    while not bot.calls:
        await asyncio.sleep(0.05)
    side = bot.calls[0]
    sent = []
    for _ in range(presses):
        await asyncio.sleep(1.0)
        before = len(side.digits)
        sent.append(time.monotonic())
        await phone.control.command("sndcode", "#")
        deadline = time.monotonic() + 5
        while len(side.digits) == before and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
    await phone.hangup()
    await phone.next_event("CALL_CLOSED", timeout=ANSWER_S)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(side.ended.wait(), 5)
    delays = [arrived - pressed for pressed, arrived in zip(sent, side.digits)]
    return {"presses": presses, "arrived": len(side.digits), "delays_ms": [round(d * 1000, 1) for d in delays],
            "p50_ms": _ms(delays, 0.5), "max_ms": round(max(delays) * 1000, 1) if delays else None}


def _brief(level: Dict[str, Any]) -> str:
    return (f"answered {level['answered']}, max receive gap {level['max_receive_gap_ms']} ms "
            f"({level['receive_gaps_over_40ms']} > 40 ms), max request gap {level['max_request_gap_ms']} ms, "
            f"underruns {level['underruns']}, shortest audible {level['shortest_audible_s']} s, holes {level['holes']}, "
            f"bot cpu {level['bot_cpu_pct_per_call']} %/call, {'carried' if level['carried'] else 'NOT carried'}")


def measure_lines(sizes: Sizes, work: Path) -> Dict[str, Any]:
    return asyncio.run(_lines_async(sizes, work))


# --- 2. turn latency over the phone path ------------------------------------------------------------


def onsets_s(audio: bytes, rate: int) -> List[float]:
    """Where audio starts after at least ONSET_SILENCE_MS of silence, in seconds from the recording's start."""
    loud = loud_windows(audio, rate)
    quiet_needed = ONSET_SILENCE_MS // FRAME_MS
    found, quiet = [], quiet_needed
    for index, is_loud in enumerate(loud):
        if is_loud and quiet >= quiet_needed:
            found.append(index * FRAME_MS / 1000)
        quiet = 0 if is_loud else quiet + 1
    return found


def playing_at(audio: bytes, rate: int, at_s: float) -> bool:
    """Whether the bot was audible within ONSET_SILENCE_MS before `at_s` (then its next onset may belong to the old prompt)."""
    loud = loud_windows(audio, rate)
    end = int(at_s * 1000 / FRAME_MS)
    start = max(0, end - ONSET_SILENCE_MS // FRAME_MS)
    return any(loud[start:end])


async def _turn_call(phone: Any, kamailio: Any, turns: int) -> Dict[str, Any]:
    """One call: the greeting, then `turns` times the tracking number and '#', TURN_WAIT_S apart."""
    await phone.connect()
    await phone.dial(kamailio.uri("bot"))
    await phone.next_event("CALL_ESTABLISHED", timeout=ANSWER_S)
    established = time.monotonic()
    await asyncio.sleep(TURN_WAIT_S)  # the greeting
    hashes: List[float] = []
    for _ in range(turns):
        await phone.press(TRACKING_KEYS[:-1], gap_s=KEY_GAP_S)
        await asyncio.sleep(HASH_PAUSE_S)
        hashes.append(time.monotonic() - established)
        await phone.control.command("sndcode", "#")
        await asyncio.sleep(TURN_WAIT_S)
    hung_up = time.monotonic() - established
    await phone.hangup()
    await phone.next_event("CALL_CLOSED", timeout=ANSWER_S)
    closed = time.monotonic() - established
    await phone.close()
    await asyncio.sleep(0.5)
    return {"hashes_s": hashes, "hangup_s": hung_up, "call_s": closed}


def measure_turns(sizes: Sizes, work: Path) -> Dict[str, Any]:
    from bench.voice import running_assistant
    from tests.support import sip_peers

    (work / "servers").mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        running = stack.enter_context(running_assistant(work / "servers"))
        kamailio = stack.enter_context(sip_peers.kamailio(work / "kamailio"))
        caller = stack.enter_context(
            sip_peers.phone(work / "caller", "91234567", kamailio, pcm.silence(500, RATE), RATE, seconds=TURN_WAIT_S * (sizes.turns + 3) + 60)
        )  # fmt: skip
        calls_dir = stack.enter_context(sip_peers.phone_gateway(running, kamailio, "agent", work / "gateway")).calls
        wait_for_quiet(0.15, 3.0, 120.0)
        timeline = asyncio.run(_turn_call(caller, kamailio, sizes.turns))
        deadline = time.monotonic() + ANSWER_S
        while not list(calls_dir.glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.2)
        records = [json.loads(path.read_text()) for path in calls_dir.glob("*.json")]
        audio, rate = caller.heard()
    return turn_results(timeline, audio, rate, records)


def turn_results(timeline: Dict[str, Any], audio: bytes, rate: int, records: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Recording time 0 is taken as CALL_ESTABLISHED's arrival (start-aligned, as asked).

    The recording also ends where the hang-up was sent, so aligning its end there instead gives a
    second estimate: recording time 0 = hang-up sent - recording length. The two differ by
    `start_offset_ms` (positive: the recording really began that much after the event, so the
    start-aligned waits are that much too short); both are reported, with the end-aligned ones as
    the upper estimate. The end alignment assumes no frame is missing from the recording.
    """
    recording_s = pcm.duration_s(audio, rate)
    start_offset_s = timeline["hangup_s"] - recording_s
    starts = onsets_s(audio, rate)
    waits, overlapped = [], 0
    for sent in timeline["hashes_s"]:
        if playing_at(audio, rate, sent):
            overlapped += 1  # the bot was still talking: its answer's start cannot be told apart
            continue
        later = [start for start in starts if start > sent]
        if later and later[0] - sent < TURN_WAIT_S:
            waits.append(later[0] - sent)
    record = records[0] if records else {}
    timings = record.get("timings", [])[1:]  # [0] is the greeting
    rasa = [t["rasa_s"] for t in timings]
    first_audio = [t["first_audio_s"] for t in timings]
    return {
        "turns_sent": len(timeline["hashes_s"]),
        "turns_measured": len(waits),
        "turns_overlapped": overlapped,
        "hash_to_audible_ms": [round(w * 1000, 1) for w in waits],
        "hash_to_audible_p50_ms": _ms(waits, 0.5),
        "hash_to_audible_p95_ms": _ms(waits, 0.95),
        "hash_to_audible_end_aligned_p50_ms": _ms([w + start_offset_s for w in waits], 0.5),
        "hash_to_audible_end_aligned_p95_ms": _ms([w + start_offset_s for w in waits], 0.95),
        "recording_s": round(recording_s, 2),
        "established_to_hangup_s": round(timeline["hangup_s"], 2),
        "established_to_closed_s": round(timeline["call_s"], 2),
        "start_offset_ms": round(start_offset_s * 1000, 1),
        "gateway_turns": len(timings),
        "rasa_p50_ms": _ms(rasa, 0.5),
        "rasa_p95_ms": _ms(rasa, 0.95),
        "first_audio_p50_ms": _ms(first_audio, 0.5),
        "first_audio_p95_ms": _ms(first_audio, 0.95),
        "greeting_first_audio_ms": round(record["timings"][0]["first_audio_s"] * 1000, 1) if record.get("timings") else None,
        "heard": record.get("heard"),
        "said_example": (record.get("said") or [None, None])[1:2],
    }


def _ms(values: Sequence[float], share: float) -> Optional[float]:
    return round(percentile(values, share) * 1000, 1) if values else None


# --- report -------------------------------------------------------------------------------------------


def report(results: Dict[str, Any]) -> str:
    m = results["machine"]
    out = [
        f"# Phone-line benchmark, {m['date']}, {m['cores']} cores ({m['cpu']}), {'quick' if results['quick'] else 'full'} run",
        "",
        f"Load average (1/5/15 min) at the start {m['load_average_at_start']}, at the end {m.get('load_average_at_end')}.",
        "",
    ]
    if "lines" in results:
        lines = results["lines"]
        rows = [[
            r["calls"], r["answered"], f"{r['max_receive_gap_ms']} ms ({r['receive_gaps_over_40ms']})",
            f"{r['max_request_gap_ms']} ms ({r['request_gaps_over_40ms']})", r["underruns"],
            f"{r['shortest_audible_s']} / {r['prompt_s']} s", r["holes"], f"{r['bot_cpu_share']:.0%} ({r['bot_cpu_pct_per_call']} % of a core)",
            f"{r['phones_cpu_share']:.0%}", "yes" if r["carried"] else "**no**",
        ] for r in lines["levels"]]
        out += [
            f"## Concurrent SIP calls (bot: SipUserAgent in one process; {lines['prompt_s']:.0f} s prompt in {PIECE_MS} ms pieces, "
            "receive() read throughout; callers: baresip via kamailio, all dialling at once, on the same 2 cores)",
            "",
            markdown_table([
                "calls", "answered", "bot: max receive gap (gaps > 40 ms)", "bot: max clock request gap (> 40 ms)",
                "underruns", "phone: shortest audible / prompt", "holes", "bot CPU (per call)", "phones' CPU", "carried",
            ], rows),
            "",
            f"Largest N carried (every level up to it: no received-frame gap over {int(CARRIED_GAP_MS)} ms, no underrun, "
            f"no silent 20 ms window inside any recorded prompt, whole prompt heard): **{lines['largest_carried']}**.",
            "",
        ]
    if "turns" in results:
        t = results["turns"]
        out += [
            "## Turn latency over the phone path (baresip → kamailio → `kundesenter phone` → Rasa; keypad number + '#')",
            "",
            markdown_table(
                ["turns (measured / sent)", "'#' sent → first audible bot audio p50 / p95 (start-aligned)", "same, end-aligned",
                 "gateway first_audio_s p50 / p95", "gateway rasa_s p50 / p95", "greeting first audio"],
                [[f"{t['turns_measured']} / {t['turns_sent']}", f"**{t['hash_to_audible_p50_ms']}** / {t['hash_to_audible_p95_ms']} ms",
                  f"{t['hash_to_audible_end_aligned_p50_ms']} / {t['hash_to_audible_end_aligned_p95_ms']} ms",
                  f"{t['first_audio_p50_ms']} / {t['first_audio_p95_ms']} ms", f"{t['rasa_p50_ms']} / {t['rasa_p95_ms']} ms",
                  f"{t['greeting_first_audio_ms']} ms"]],
            ),
            "",
            f"'#' → audible is read from the caller's recording (baresip's `-dec.wav`). Start-aligned: recording time 0 = "
            f"when CALL_ESTABLISHED reached the bench. End-aligned: the recording ({t['recording_s']} s) ends where the "
            f"hang-up was sent ({t['established_to_hangup_s']} s after CALL_ESTABLISHED), which puts its start "
            f"{t['start_offset_ms']} ms after the event: the alignment is uncertain by about that much, and the true wait "
            f"lies between the two columns (the end alignment assumes no frame is missing from the recording). Either way it "
            f"includes the DTMF event's travel, RTP through the loopback, both ends' jitter buffers and ctrl_tcp's own delay; "
            f"the gateway's first_audio_s starts when the '#' reached the call and ends at its first `play()`, "
            f"rasa_s is Rasa's round trip. Turns where the bot was still speaking when '#' was sent are left out "
            f"({t['turns_overlapped']}).",
            "",
        ]
    for name, error in results.get("errors", {}).items():
        out += [f"**{name} failed**: {error}", ""]
    return "\n".join(out).rstrip()


PART_RUNNERS = {"lines": measure_lines, "turns": measure_turns}


def run(sizes: Sizes, parts: Sequence[str], quick: bool) -> Dict[str, Any]:
    """Each part in order; one that fails is recorded under `errors` and the others still run and are written."""
    from tests.support import sip_peers

    results: Dict[str, Any] = {"machine": machine(), "quick": quick, "parts": list(parts), "errors": {}, "settings": {
        "sample_rate": RATE, "frame_ms": FRAME_MS, "gap_ms": GAP_MS, "carried_gap_ms": CARRIED_GAP_MS,
        "piece_ms": PIECE_MS, "codecs": list(voice_settings.load_sip().codecs), "tracking_keys": TRACKING_KEYS,
    }}
    missing = sip_peers.missing_programs()
    if missing:
        raise SystemExit(f"the phone benchmark needs real SIP peers: {missing}")
    for name in parts:
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            with tempfile.TemporaryDirectory(prefix=f"bench-phone-{name}-") as work:
                results[name] = PART_RUNNERS[name](sizes, Path(work))
        except Exception as error:  # noqa: BLE001 - reported in the results, the other parts still count
            traceback.print_exc()
            results["errors"][name] = f"{type(error).__name__}: {error}"
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    return results


def main(argv: Optional[List[str]] = None) -> int:
    return command_line("phone", __doc__, PARTS, (FULL, QUICK), run, report, argv)


if __name__ == "__main__":
    sys.exit(main())
