"""Benchmarks: speed and memory measured on a real run and written to `results/`, never asserted in tests.

Timings depend on the machine and on what else runs on it, so a test that fails above some
number of milliseconds fails for the wrong reasons. The benchmarks instead write what they
measured (JSON for tools, a markdown table for people) and the README quotes the table with the
date and the machine. Each benchmark module has `main(argv) -> int`; `python -m bench` runs them all.

The helpers here are shared by the benchmark modules so every result file has the same header.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from bot import project

RESULTS = project.ROOT / "results"


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: with few samples an interpolated p95 would invent values never measured."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered) - 1e-9)))
    return ordered[rank - 1]


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc; no psutil needed)."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    return _status_kb("VmHWM") / 1024


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field} (the benchmarks measure memory on Linux only)")


def _cpu_ticks() -> Tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot, from the first line of /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _process_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


class CpuMeter:
    """CPU used while measuring, by this process (all threads) and by everything else on the machine.

    The machine is shared (other work, tests): a figure measured while others used a core says
    little about our code, so every measurement reports the others' share next to its own.
    """

    def __init__(self) -> None:
        self.wall, self.cpu, self.ticks = time.perf_counter(), _process_cpu_s(), _cpu_ticks()

    def ours(self) -> float:
        """Share of all cores this process used (1.0 = every core busy with us)."""
        wall = time.perf_counter() - self.wall
        return round((_process_cpu_s() - self.cpu) / (wall * (os.cpu_count() or 1)), 2) if wall > 0 else 0.0

    def others(self) -> float:
        """Share of all cores used by other processes meanwhile."""
        busy, total = _cpu_ticks()
        elapsed = total - self.ticks[1]
        machine = (busy - self.ticks[0]) / elapsed if elapsed > 0 else 0.0
        return round(max(0.0, machine - self.ours()), 2)


def wait_for_quiet(threshold: float = 0.1, window_s: float = 3.0, timeout_s: float = 900.0) -> float:
    """Wait (up to `timeout_s`) until other processes use under `threshold` of the cores; returns their share.

    Called before each measurement so a test run elsewhere on the machine does not end up in the figures;
    after the timeout the measurement goes ahead and its `others` share shows how much to trust it.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        meter = CpuMeter()
        time.sleep(window_s)
        others = meter.others()
        if others < threshold or time.monotonic() > deadline:
            return others
        print(f"  waiting: other processes use {others:.0%} of the cores", file=sys.stderr, flush=True)


T = TypeVar("T")


def measured_quietly(measure: Callable[[], T], others_of: Callable[[T], float], attempts: int = 3, limit: float = 0.15) -> T:
    """`measure()` once the machine is quiet, again (up to `attempts`) when other processes took over
    `limit` of the cores meanwhile; the last attempt is kept whatever happened, with its share recorded."""
    for attempt in range(1, attempts + 1):
        wait_for_quiet()
        result = measure()
        others = others_of(result)
        if others <= limit or attempt == attempts:
            return result
        print(f"  other processes used {others:.0%} of the cores meanwhile: measuring again", file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def machine() -> Dict[str, Any]:
    """What the numbers were measured on: they mean little without it."""
    return {
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],  # others' work skews every figure
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(name: str, data: Dict[str, Any], markdown: str) -> List[Path]:
    """`results/<name>.json` and `results/<name>.md`; the markdown is also printed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path, md_path = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown + "\n", encoding="utf-8")
    print(markdown, flush=True)
    print(f"\nwritten: {json_path.relative_to(project.ROOT)}, {md_path.relative_to(project.ROOT)}", file=sys.stderr)
    return [json_path, md_path]


def command_line(
    name: str,
    doc: str,
    parts: Sequence[str],
    sizes: Tuple[Any, Any],
    run: Callable[[Any, List[str], bool], Dict[str, Any]],
    report: Callable[[Dict[str, Any]], str],
    argv: Optional[List[str]],
) -> int:
    """`python -m bench.<name> [--quick] [--only PART ...]`, the same for every benchmark: `sizes` is (full, quick).

    Exit code 1 when a part failed; its error is in the results, and the other parts still count.
    """
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check, not a measurement")
    parser.add_argument("--only", nargs="+", choices=parts, default=list(parts), help="measure only these parts")
    args = parser.parse_args(argv)
    full, quick = sizes
    results = run(quick if args.quick else full, [part for part in parts if part in args.only], args.quick)
    write_results(f"bench-{name}", results, report(results))
    return 1 if results["errors"] else 0
