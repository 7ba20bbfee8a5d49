"""Chat load benchmark: messages per second and latency of our bot against a stock `rasa init` bot.

`python -m bench.chat [--quick] [--only TARGET ...]` measures, in one run so the numbers compare:

1. `stock`: the moodbot of `rasa init --no-prompt` (trained once into var/bench/stock-rasa/), served
   by `rasa run` with Rasa's defaults (in-memory tracker store, no action server);
2. `ours`: our assistant as `kundesenter run` starts it (`bot.services.start`: one Rasa process,
   action server, reference back-end, desk, SQL tracker store);
3. `scaled`: our scaled topology (`bot.cluster.topology`, several Rasa processes behind one URL),
   when that module is present.

For each: closed-loop load at 1, 10 and 50 concurrent conversations (each simulated customer
sends its next message when the answer arrives; bench/chat_scripts.yml holds the scripts), a
warm-up excluded, then the answers arriving in a fixed window are counted; then memory: RSS
and PSS of each Rasa process after the load, and the RSS growth while opening many more
conversations (divided by their number: memory per active conversation).

The load generator is this process (asyncio + aiohttp, one event loop); its CPU share is in the
results next to the Rasa processes' share and everything else's, so a reader sees when the
generator or another process took CPU the servers needed. Nothing here asserts a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp
import yaml

from bench import command_line, machine, markdown_table, percentile, wait_for_quiet
from bench.voice import _free_port, running_assistant
from bot import project
from bot.services import stop_groups, wait_for

SCRIPTS = Path(__file__).with_name("chat_scripts.yml")
STOCK_DIR = project.VAR / "bench" / "stock-rasa"
TARGETS = ("stock", "ours", "scaled")
REQUEST_TIMEOUT_S = 60.0
P99_TARGET_MS = 300.0
THROUGHPUT_TARGET = 2.0  # ours / stock at TARGET_LEVEL conversations
TARGET_LEVEL = 10
MEMORY_CONCURRENCY = 10  # conversations opened at once for the memory measurement


@dataclass(frozen=True)
class Sizes:
    """How much to measure; `--quick` is a smoke check of every part, not a measurement."""

    levels: Tuple[int, ...]  # concurrent conversations
    warm_up_s: float
    window_s: float  # measured time per level
    memory_conversations: int
    memory_turns: int  # turns of each memory conversation: it stays open (mid-form for ours)


FULL = Sizes((1, 10, 50), 5.0, 30.0, 600, 2)
QUICK = Sizes((1, 10, 50), 2.0, 6.0, 60, 2)


# --- scripts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    text: str
    expect: Optional[str] = None


@dataclass(frozen=True)
class Script:
    metadata: Dict[str, Any]
    turns: Tuple[Turn, ...]


def scripts(bot: str) -> List[Script]:
    """The conversations for `bot` ("ours" or "stock") from bench/chat_scripts.yml."""
    data = yaml.safe_load(SCRIPTS.read_text(encoding="utf-8"))[bot]
    return [Script(s.get("metadata") or {}, tuple(Turn(**t) for t in s["turns"])) for s in data]


# --- process measurements ------------------------------------------------------------------------


def _proc_kb(pid: int, file: str, field_name: str) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def process_tree(pid: int) -> List[int]:
    """`pid` and its descendants: a server may fork workers, and their memory and CPU are the server's."""
    children: Dict[int, List[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children.get(current, [])
    return tree


def memory_of(pid: int) -> Dict[str, Optional[float]]:
    """RSS and (where /proc/PID/smaps_rollup is readable) PSS of a process and its descendants, in MB.

    PSS shares pages mapped by several processes between them: with two Rasa processes it is
    the fairer figure of what each costs (their libraries are mapped once).
    """
    tree = process_tree(pid)
    rss = [_proc_kb(p, "status", "VmRSS") for p in tree]
    pss = [_proc_kb(p, "smaps_rollup", "Pss") for p in tree]
    return {
        "rss_mb": round(sum(v for v in rss if v) / 1024, 1),
        "pss_mb": round(sum(pss) / 1024, 1) if all(v is not None for v in pss) else None,
    }


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of `pids` and their descendants so far (/proc/PID/stat)."""
    ticks = 0
    for pid in {p for root in pids for p in process_tree(root)}:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_busy_s() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class CpuShares:
    """Shares of all cores used by the Rasa processes, by this load generator and by everything else."""

    def __init__(self, rasa_pids: Sequence[int]) -> None:
        self.rasa_pids = list(rasa_pids)
        self.started = time.perf_counter()
        self.rasa, self.generator, self.machine = cpu_seconds(self.rasa_pids), _own_cpu_s(), _machine_busy_s()

    def shares(self) -> Dict[str, float]:
        capacity = (time.perf_counter() - self.started) * (os.cpu_count() or 1)
        rasa = cpu_seconds(self.rasa_pids) - self.rasa
        generator = _own_cpu_s() - self.generator
        others = max(0.0, _machine_busy_s() - self.machine - rasa - generator)
        return {"rasa_cpu": round(rasa / capacity, 2), "generator_cpu": round(generator / capacity, 2),
                "others_cpu": round(others / capacity, 2), "rasa_cpu_s": round(rasa, 2)}


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


# --- the bots under test -------------------------------------------------------------------------


@dataclass
class Bot:
    """A running bot as the benchmark sees it: where to post messages and which processes are its Rasa."""

    name: str
    rest_url: str
    rasa_pids: List[int]
    scripts: List[Script]
    notes: Dict[str, Any] = field(default_factory=dict)


def _stock_model() -> Path:
    """The moodbot's model, trained on first use (about 70 s) and kept in var/bench/stock-rasa/."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz")) if STOCK_DIR.exists() else []
    if not models:
        STOCK_DIR.mkdir(parents=True, exist_ok=True)
        print(f"  training the stock bot in {STOCK_DIR} (once)", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt"], cwd=STOCK_DIR, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=_quiet_tf(dict(os.environ)))
        models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    return models[-1]


def _quiet_tf(env: Dict[str, str]) -> Dict[str, str]:
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


@contextlib.contextmanager
def stock_bot(work: Path) -> Iterator[Bot]:
    """`rasa run` on the moodbot with stock endpoints (in-memory tracker store), stopped by PID."""
    model, port = _stock_model(), _free_port()
    with open(work / "stock-rasa.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port), "--enable-api"],
            cwd=STOCK_DIR, env=_quiet_tf(dict(os.environ)), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://localhost:{port}/status", "stock Rasa server", process)
        yield Bot("stock", f"http://localhost:{port}/webhooks/rest/webhook", [process.pid], scripts("stock"))
    finally:
        stop_groups([process])


@contextlib.contextmanager
def our_bot(work: Path) -> Iterator[Bot]:
    """Our assistant with one Rasa process, started as the tests start it (bench.voice.running_assistant)."""
    with running_assistant(work) as running:
        yield Bot("ours", running.rest_url, [running.processes["rasa"].pid], scripts("ours"))


def scaled_available() -> bool:
    """Without bot/cluster in the tree the scaled column is left out (and said so), not failed."""
    if importlib.util.find_spec("bot.cluster") is None:
        return False
    return importlib.util.find_spec("bot.cluster.topology") is not None


@contextlib.contextmanager
def scaled_bot(work: Path) -> Iterator[Bot]:
    """Our scaled topology (bot.cluster.topology) as bot/cluster/cluster.yml describes it, on free ports."""
    from bot.cluster import settings, topology
    from bot.model_cache import ensure_model

    cluster = topology.start(ensure_model(), settings.load().with_free_ports(), workdir=work, log_dir=work / "logs")
    try:
        cluster.wait_until_ready()
        pids = list(cluster.rasa_pids())
        yield Bot("scaled", cluster.rest_url, pids, scripts("ours"), {"rasa_processes": len(pids)})
    finally:
        cluster.stop()


BOTS: Dict[str, Callable[[Path], "contextlib.AbstractContextManager[Bot]"]] = {
    "stock": stock_bot, "ours": our_bot, "scaled": scaled_bot,
}


# --- load ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    sent: float
    done: float
    turn: str
    outcome: str  # "ok" or what went wrong


async def say(session: aiohttp.ClientSession, url: str, sender: str, metadata: Dict[str, Any], turn: Turn) -> str:
    """One message; "ok" when the bot answered with text (containing `turn.expect`, if set)."""
    try:
        async with session.post(url, json={"sender": sender, "message": turn.text, "metadata": metadata}) as response:
            if response.status != 200:
                return f"HTTP {response.status}"
            answers = await response.json()
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return type(error).__name__
    said = " ".join(a.get("text") or "" for a in answers)
    if not said:
        return "empty answer"
    return "ok" if not turn.expect or turn.expect in said else "unexpected answer"


async def customer(
    session: aiohttp.ClientSession, bot: Bot, first: int, start_after_s: float, until: float, samples: List[Sample]
) -> None:
    """A closed loop of whole conversations: each message waits for the answer to the one before.

    Customers start `start_after_s` apart within the warm-up: started at once they would stay in step
    (all greeting, then all tracking), and a window would count some turns of the script more than others.
    """
    await asyncio.sleep(start_after_s)
    number = first
    while time.perf_counter() < until:
        script = bot.scripts[number % len(bot.scripts)]
        sender = f"bench-{uuid.uuid4().hex}"
        for turn in script.turns:
            if time.perf_counter() >= until:
                return
            sent = time.perf_counter()
            outcome = await say(session, bot.rest_url, sender, script.metadata, turn)
            samples.append(Sample(sent, time.perf_counter(), turn.text, outcome))
            if outcome != "ok":
                break  # the conversation went off its script: start a fresh one
        number += 1


def _session(concurrency: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency), timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    )


async def load_level(bot: Bot, concurrency: int, sizes: Sizes) -> Dict[str, Any]:
    """`concurrency` customers for warm-up + window; counts the answers that arrive inside the window."""
    samples: List[Sample] = []
    start = time.perf_counter()
    window = (start + sizes.warm_up_s, start + sizes.warm_up_s + sizes.window_s)
    shares: Dict[str, float] = {}

    async def meter() -> None:
        await asyncio.sleep(window[0] - time.perf_counter())
        cpu = CpuShares(bot.rasa_pids)
        await asyncio.sleep(window[1] - time.perf_counter())
        shares.update(cpu.shares())

    async with _session(concurrency) as session:
        await asyncio.gather(meter(), *(
            customer(session, bot, i, i * sizes.warm_up_s / (2 * concurrency), window[1], samples)
            for i in range(concurrency)
        ))
    # Answers that arrived inside the window, whenever sent: counting only messages sent and answered inside it
    # would leave out those in flight at either end, a large share when answers take seconds.
    inside = [s for s in samples if window[0] <= s.done <= window[1]]
    answered = [s.done - s.sent for s in inside if s.outcome == "ok"]
    errors: Dict[str, int] = {}
    for s in inside:
        if s.outcome != "ok":
            errors[s.outcome] = errors.get(s.outcome, 0) + 1
    by_turn: Dict[str, List[float]] = {}
    for s in inside:
        if s.outcome == "ok":
            by_turn.setdefault(s.turn, []).append(s.done - s.sent)
    return {
        "conversations": concurrency,
        "window_s": sizes.window_s,
        "answered": len(answered),
        "messages_per_s": round(len(answered) / sizes.window_s, 1),
        "p50_ms": _ms(answered, 0.5), "p95_ms": _ms(answered, 0.95), "p99_ms": _ms(answered, 0.99),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "p50_ms_by_turn": {turn: _ms(values, 0.5) for turn, values in by_turn.items()},
        # CPU the Rasa process(es) spent per answered message: the floor under latency and throughput
        "rasa_cpu_ms_per_message": round(shares["rasa_cpu_s"] * 1000 / len(answered), 1) if answered else None,
        **shares,
    }


def _ms(values: Sequence[float], share: float) -> Optional[float]:
    return round(percentile(values, share) * 1000, 1) if values else None


# --- memory --------------------------------------------------------------------------------------


async def open_conversations(bot: Bot, count: int, turns: int) -> int:
    """`count` new conversations of `turns` messages, MEMORY_CONCURRENCY at a time; returns how many were answered."""
    opened = 0
    semaphore = asyncio.Semaphore(MEMORY_CONCURRENCY)

    async def conversation(index: int) -> None:
        nonlocal opened
        script = bot.scripts[index % len(bot.scripts)]
        sender = f"bench-memory-{uuid.uuid4().hex}"
        async with semaphore:
            for turn in script.turns[:turns]:
                if await say(session, bot.rest_url, sender, script.metadata, turn) != "ok":
                    return
        opened += 1

    async with _session(MEMORY_CONCURRENCY) as session:
        await asyncio.gather(*(conversation(i) for i in range(count)))
    return opened


def measure_memory(bot: Bot, sizes: Sizes) -> Dict[str, Any]:
    """Each Rasa process's memory after the load, then its growth per newly opened conversation.

    The conversations stay open (nobody says goodbye): a stock bot keeps them in its in-memory
    tracker store, ours in the SQL tracker store outside the process.
    """
    after_load = [memory_of(pid) for pid in bot.rasa_pids]
    opened = asyncio.run(open_conversations(bot, sizes.memory_conversations, sizes.memory_turns))
    after_open = [memory_of(pid) for pid in bot.rasa_pids]
    growth = sum(b["rss_mb"] - a["rss_mb"] for a, b in zip(after_load, after_open))
    return {
        "rasa_processes": after_load,
        "conversations_opened": opened,
        "turns_each": sizes.memory_turns,
        "rasa_processes_after_opening": after_open,
        "rss_growth_mb": round(growth, 1),
        "per_conversation_kb": round(growth * 1024 / opened, 1) if opened else None,
    }


# --- run and report ------------------------------------------------------------------------------


def measure_bot(name: str, sizes: Sizes, quick: bool) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-chat-{name}-") as work:
        os.chmod(work, 0o711)  # the scaled topology's PostgreSQL runs as 'postgres' and must enter it
        with BOTS[name](Path(work)) as bot:
            result: Dict[str, Any] = {"bot": name, **bot.notes, "levels": []}
            for level in sizes.levels:
                wait_for_quiet(timeout_s=15 if quick else 300)
                print(f"  {name}: {level} conversations ...", file=sys.stderr, flush=True)
                result["levels"].append(asyncio.run(load_level(bot, level, sizes)))
            result["memory"] = measure_memory(bot, sizes)
    return result


def run(sizes: Sizes, targets: Sequence[str], quick: bool) -> Dict[str, Any]:
    """Each bot in turn (never two at once: they would share the cores); one that fails is recorded under `errors`."""
    results: Dict[str, Any] = {
        "machine": machine(), "quick": quick, "sizes": vars(sizes), "bots": {}, "errors": {}, "skipped": {},
    }
    for name in targets:
        if name == "scaled" and not scaled_available():
            results["skipped"][name] = "bot.cluster.topology is not in this tree"
            continue
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            results["bots"][name] = measure_bot(name, sizes, quick)
        except Exception as error:  # noqa: BLE001 - reported in the results, the other bots still count
            traceback.print_exc()
            results["errors"][name] = f"{type(error).__name__}: {error}"
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    return results


def _level(results: Dict[str, Any], bot: str, conversations: int) -> Optional[Dict[str, Any]]:
    levels = results["bots"].get(bot, {}).get("levels", [])
    return next((level for level in levels if level["conversations"] == conversations), None)


def _ratio(ours: Optional[Dict[str, Any]], base: Optional[Dict[str, Any]]) -> str:
    if not ours or not base or not base["messages_per_s"]:
        return "–"
    return f"{ours['messages_per_s'] / base['messages_per_s']:.2f}×"


def report(results: Dict[str, Any]) -> str:
    m = results["machine"]
    bots = [b for b in TARGETS if b in results["bots"]]
    sizes = results["sizes"]
    out = [
        "# Chat load benchmark" + (" (quick: a smoke check, not a measurement)" if results["quick"] else ""),
        "",
        f"{m['date']}, {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}; "
        f"load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end.",
        "",
        f"Closed loop over the REST webhook: each conversation sends its next message when the answer arrives; "
        f"{sizes['warm_up_s']:.0f} s warm-up, then the answers arriving in {sizes['window_s']:.0f} s are counted "
        "per level (an answer missing its expected text is an error, not an answer). "
        "Message mixes differ (bench/chat_scripts.yml): ours tracks a parcel and asks for opening hours "
        "(custom actions, back-end calls, SQL tracker store); stock is the moodbot (responses only, in-memory store).",
        "",
    ]
    rows = []
    for level in sizes["levels"]:
        stock = _level(results, "stock", level)
        row: List[Any] = [level]
        for bot in bots:
            r = _level(results, bot, level)
            row.append(f"**{r['messages_per_s']}**" if r else "–")
            if bot != "stock":
                row.append(_ratio(r, stock))
        rows.append(row)
    header = ["conversations"]
    for bot in bots:
        header += [f"{bot} msg/s"] + ([f"{bot} / stock"] if bot != "stock" else [])
    out += ["## Throughput", "", markdown_table(header, rows), ""]
    if "scaled" in bots and "ours" in bots:
        gains = [
            f"{level}: {_ratio(_level(results, 'scaled', level), _level(results, 'ours', level))}"
            for level in sizes["levels"]
        ]
        out += [f"Scaled over single process: {', '.join(gains)}.", ""]
    detail = []
    for bot in bots:
        for r in results["bots"][bot]["levels"]:
            detail.append([
                bot, r["conversations"], r["messages_per_s"], f"{r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} ms",
                r["errors"], f"{r['rasa_cpu_ms_per_message']} ms",
                f"{r.get('rasa_cpu', 0):.0%} / {r.get('generator_cpu', 0):.0%} / {r.get('others_cpu', 0):.0%}",
            ])
    out += [
        "## Latency", "",
        markdown_table(
            ["bot", "conversations", "msg/s", "p50 / p95 / p99", "errors", "Rasa CPU per message",
             "CPU: Rasa / generator / others"],
            detail,
        ),
        "",
        "Rasa CPU per message: CPU time of the Rasa process(es) divided by the answered messages. CPU shares are of "
        "all cores (100 % = every core busy) during the counted window; others = everything else on the machine "
        "(our action server, back-end, desk, PostgreSQL, Redis and nginx included).",
        "",
    ]
    out += _targets(results, bots)
    out += _memory_section(results, bots)
    for name, reason in results["skipped"].items():
        out += [f"{name}: not measured ({reason}).", ""]
    for name, error in results["errors"].items():
        out += [f"**{name} not measured**: {error}", ""]
    return "\n".join(out).rstrip()


def _memory_section(results: Dict[str, Any], bots: Sequence[str]) -> List[str]:
    rows = []
    for bot in bots:
        mem = results["bots"][bot].get("memory")
        if not mem:
            continue
        each = ", ".join(
            f"{p['rss_mb']} MB" + (f" (PSS {p['pss_mb']})" if p["pss_mb"] is not None else "")
            for p in mem["rasa_processes"]
        )
        rows.append([bot, each, mem["conversations_opened"], f"{mem['rss_growth_mb']} MB",
                     f"{mem['per_conversation_kb']} KB"])
    sizes = results["sizes"]
    return [
        "## Memory", "",
        markdown_table(["bot", "each Rasa process after the load: RSS (PSS)", "conversations opened", "RSS growth",
                        "per conversation"], rows),
        "",
        f"Per conversation: RSS growth of the Rasa process(es) while {sizes['memory_conversations']} new "
        f"conversations of {sizes['memory_turns']} turns each were opened and left open, divided by their number.",
        "",
    ]


def _targets(results: Dict[str, Any], bots: Sequence[str]) -> List[str]:
    stock = _level(results, "stock", TARGET_LEVEL)
    lines = []
    for bot in (b for b in bots if b != "stock"):
        r = _level(results, bot, TARGET_LEVEL)
        if not r or not stock or r["p99_ms"] is None:
            continue
        ratio = r["messages_per_s"] / stock["messages_per_s"] if stock["messages_per_s"] else float("nan")
        lines.append(
            f"- {bot} at {TARGET_LEVEL} conversations: {ratio:.2f}× stock throughput "
            f"({'met' if ratio >= THROUGHPUT_TARGET else 'not met'}, target {THROUGHPUT_TARGET:.0f}×), "
            f"p99 {r['p99_ms']} ms "
            f"({'met' if r['p99_ms'] < P99_TARGET_MS else 'not met'}, target under {P99_TARGET_MS:.0f} ms)"
        )
    if not lines:
        return []
    floor = TARGET_LEVEL / (P99_TARGET_MS / 1000)
    return ["## Targets", "", *lines, "",
            "In a closed loop without pauses the mean latency is conversations / throughput (Little's law): "
            f"a p99 under {P99_TARGET_MS:.0f} ms at {TARGET_LEVEL} conversations needs more than {floor:.0f} msg/s "
            "even if every answer took exactly as long.", ""]


def main(argv: Optional[List[str]] = None) -> int:
    return command_line("chat", __doc__, TARGETS, (FULL, QUICK), run, report, argv)


if __name__ == "__main__":
    sys.exit(main())
