"""P3-P5 on a big store: each page rendered by AppTest in child processes (so that imports,
caches and peak memory are each run's own), and the queries each page made, replayed and
timed in this process.

P3 asks for the p95 of 20 runs. A page whose runs take seconds would spend minutes proving a
miss, so a page stops early once it has run for 20 s and the miss is certain: the
nearest-rank p95 of 20 is the second-slowest run, so two runs over the target put the p95 of
any 20 over it. Such a page reports the median of the runs it made.
"""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.page_calls import PAGES, Call
from loaders.store import connect_read_only

MIN_SECONDS_BEFORE_STOPPING = 20.0


@dataclass
class PageQueryTimes:
    page: str
    planned: int  # runs asked for
    runs: list[float]  # seconds per run of all the page's calls
    calls: dict[str, float]  # median seconds of each call over the runs

    @property
    def p95(self) -> float:
        """Nearest-rank p95: of 20 runs, the second slowest."""
        ordered = sorted(self.runs)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]

    @property
    def median(self) -> float:
        return sorted(self.runs)[len(self.runs) // 2]

    @property
    def stopped_early(self) -> bool:
        return len(self.runs) < self.planned

    def slowest_calls(self, count: int = 2) -> list[tuple[str, float]]:
        return sorted(self.calls.items(), key=lambda c: -c[1])[:count]


def over_for_sure(runs: list[float], planned: int, target: float) -> bool:
    """Whether the nearest-rank p95 of `planned` runs exceeds `target` whatever runs remain."""
    allowed_over = planned - math.ceil(0.95 * planned)  # runs that may exceed the p95
    return sum(r > target for r in runs) > allowed_over


def time_page_queries(
    db: Path, recorded: dict[str, list[Call]], runs: int, target: float
) -> list[PageQueryTimes]:
    """Each page's calls once to warm up, then up to `runs` timed runs, on one connection."""
    conn = connect_read_only(str(db))
    results = []
    try:
        for page, calls in recorded.items():
            for call in calls:  # warm: this connection's buffers hold the tables
                call(conn)
            totals: list[float] = []
            per_call: dict[Call, list[float]] = {call: [] for call in calls}
            started = time.perf_counter()
            while len(totals) < runs:
                run_total = 0.0
                for call in calls:
                    call_started = time.perf_counter()
                    call(conn)
                    seconds = time.perf_counter() - call_started
                    per_call[call].append(seconds)
                    run_total += seconds
                totals.append(run_total)
                spent = time.perf_counter() - started
                if spent >= MIN_SECONDS_BEFORE_STOPPING and over_for_sure(totals, runs, target):
                    break
            medians: dict[str, float] = {}
            for call, durations in per_call.items():
                median = sorted(durations)[len(durations) // 2]
                medians[call.label] = medians.get(call.label, 0.0) + median
            results.append(PageQueryTimes(page, runs, totals, medians))
    finally:
        conn.close()
    return results


def render(db: Path, pages: list[str], *options: str) -> dict[str, Any]:
    """Run bench/render.py in a child process; its JSON answer."""
    command = [sys.executable, "-m", "bench.render", str(db), *pages, *options]
    out = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parents[1])
    if out.returncode != 0:
        raise RuntimeError(f"rendering {pages} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def render_every_page_once(db: Path) -> tuple[float, dict[str, list[Call]]]:
    """P5: peak memory (MB) of one process that renders every page, keeping its caches; and
    the calls each page made, for P3."""
    with tempfile.TemporaryDirectory() as tmp:
        calls = Path(tmp) / "calls.pickle"
        answer = render(db, list(PAGES), "--keep-caches", "--record", str(calls))
        recorded = pickle.loads(calls.read_bytes())
    return float(answer["peak_mb"]), recorded


def render_each_page(db: Path) -> dict[str, dict[str, float]]:
    """P4: every page in a process of its own (first, warm and cached render)."""
    return {page: render(db, [page])["pages"][page] for page in PAGES}
