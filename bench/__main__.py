"""`make bench`: the performance targets of SPEC §9, each a ratio or a bound measured in this run.

P1 ingest of 10,000 post-mortems vs the floor (read every file + parse its front matter with
PyYAML's C loader); P2 re-sync of the same folder unchanged vs P1; P5 peak memory of the
ingest. Ingest runs in a child process so its peak memory is its own.

P3-P5 on a store of 100,000 incidents and 500,000 action items built with SQL
(bench/bigstore.py). P5: the peak memory of one process rendering every page with AppTest,
which also records the query calls each page makes (bench/page_calls.py). P3: those calls
replayed, warm, p95 of 20 runs per page (bench/dashboard_timings.py). P4: each page rendered
by AppTest in a process of its own, judged on the warm render (imports done, Streamlit's
caches cleared). P6: the Notion requests of an unchanged incremental sync, against the fake
Notion server of the tests. P7: tracker requests for 1,000 tickets, first sync and unchanged
re-sync, GitHub (with a token) and Jira against the fake servers of the tests
(bench/tracker_requests.py).

`--quick` runs everything at a tenth of the size with 5 runs: a smoke run, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench import bigstore
from bench.corpus import write_corpus
from bench.dashboard_timings import (
    render_each_page,
    render_every_page_once,
    time_page_queries,
)
from bench.notion_requests import unchanged_sync_requests
from bench.page_calls import Call
from bench.tracker_requests import github_requests, jira_requests

DOCUMENTS = 10_000
INCIDENTS = 100_000
ACTION_ITEMS = 500_000
RUNS = 20
QUERY_TARGET_SECONDS = 0.25
RENDER_TARGET_SECONDS = 2.0
DASHBOARD_MEMORY_TARGET_MB = 600
TARGETS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")
TRACKER_TICKETS = 1_000
TRACKER_TARGETS = (15, 5)  # requests: first sync, unchanged re-sync (SPEC §9, with a token)

Row = tuple[str, str, str, str, bool]


def floor_seconds(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        yaml.load(text.split("---", 2)[1], Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def timed_sync(folder: Path, db: Path) -> dict[str, float]:
    """Run one sync in a child process, with every enrichment step a default configuration
    runs after the source (loaders.enrich.steps_for), as `pmdash sync` does; its wall time
    and peak memory (MB)."""
    code = (
        "import json, sys, time\n"
        "from loaders.config import Config, SourceConfig\n"
        "from loaders.enrich import steps_for\n"
        "from loaders.sources.git_folder import GitFolderSource\n"
        "from loaders.sync import sync\n"
        "config = Config()\n"
        "source = GitFolderSource.from_config(SourceConfig('bench', 'git', {'path': sys.argv[1]}), config)\n"
        "t = time.perf_counter(); [r, *_] = sync(sys.argv[2], [source], None, steps_for(config))\n"
        "t = time.perf_counter() - t\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "peak = int(status.split()[0]) / 1024  # VmHWM, kB: this process's own peak\n"
        "result = {'seconds': t, 'peak_mb': peak, 'loaded': r.loaded, 'unchanged': r.unchanged}\n"
        "open(sys.argv[3], 'w').write(json.dumps(result))\n"
    )
    # The numbers go to a file of their own: what the sync prints is not the benchmark's.
    measured = db.with_name(db.name + ".measured.json")
    subprocess.run(
        [sys.executable, "-c", code, str(folder), str(db), str(measured)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(measured.read_text())


def ingest_rows(documents: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "docs", Path(tmp) / "bench.duckdb"
        write_corpus(folder, documents)
        floor_seconds(folder)  # warm the page cache so the floor and P1 read alike
        floor = floor_seconds(folder)
        first = timed_sync(folder, db)
        again = timed_sync(folder, db)
    assert first["loaded"] == documents and again["unchanged"] == documents
    p1, p2 = first["seconds"] / floor, again["seconds"] / first["seconds"]
    return [
        (
            "P1",
            f"ingest {documents} documents",
            f"{first['seconds']:.2f} s / floor {floor:.2f} s = {p1:.2f}x",
            "<= 3x",
            p1 <= 3,
        ),
        (
            "P2",
            "re-sync unchanged",
            f"{again['seconds']:.2f} s / P1 = {p2:.3f}x",
            "<= 0.1x",
            p2 <= 0.1,
        ),
        (
            "P5",
            "peak memory, ingest",
            f"{first['peak_mb']:.0f} MB",
            "<= 400 MB",
            first["peak_mb"] <= 400,
        ),
    ]


def query_rows(db: Path, recorded: dict[str, list[Call]], runs: int) -> list[Row]:
    rows = []
    for page in time_page_queries(db, recorded, runs, QUERY_TARGET_SECONDS):
        slowest = ", ".join(f"{name} {s * 1000:.0f}" for name, s in page.slowest_calls())
        if page.stopped_early:
            measured = (f"p95 of {runs} > target after {len(page.runs)} runs; "
                        f"median {page.median * 1000:.0f} ms")  # fmt: skip
        else:
            measured = f"p95 {page.p95 * 1000:.0f} ms of {runs}"
        rows.append((
            "P3",
            f"queries: {page.page}",
            f"{measured} (slowest, median ms: {slowest})",
            f"<= {QUERY_TARGET_SECONDS * 1000:.0f} ms",
            page.p95 <= QUERY_TARGET_SECONDS and not page.stopped_early,
        ))  # fmt: skip
    return rows


def render_rows(rendered: dict[str, dict[str, float]]) -> list[Row]:
    rows = []
    for page, seconds in rendered.items():
        rows.append((
            "P4",
            f"render: {page}",
            f"warm {seconds['warm']:.2f} s (first {seconds['first']:.2f} s with imports, "
            f"cached rerun {seconds['cached']:.2f} s)",
            f"<= {RENDER_TARGET_SECONDS:.0f} s",
            seconds["warm"] <= RENDER_TARGET_SECONDS,
        ))  # fmt: skip
    return rows


def dashboard_memory_row(peak: float) -> Row:
    return (
        "P5",
        "peak memory, dashboard",
        f"{peak:.0f} MB (every page rendered once in one process)",
        f"<= {DASHBOARD_MEMORY_TARGET_MB} MB",
        peak <= DASHBOARD_MEMORY_TARGET_MB,
    )


def notion_row() -> Row:
    found = unchanged_sync_requests()
    queries = found["queries"]
    reads = {k: v for k, v in found["by_endpoint"].items() if "/pages/" in k or "/blocks/" in k}
    assert found["loaded"] == 0, "the second sync was meant to find nothing changed"
    per_source = ", ".join(f"{name} {count}" for name, count in queries.items())
    return (
        "P6",
        "Notion: unchanged sync",
        f"queries per data source: {per_source}; page/block reads: {sum(reads.values())}",
        "1 per data source",
        set(queries.values()) == {1} and not reads,
    )


def tracker_rows() -> list[Row]:
    first_max, again_max = TRACKER_TARGETS
    rows = []
    for name, measure in (("GitHub (token)", github_requests), ("Jira", jira_requests)):
        first, again = measure(TRACKER_TICKETS)
        rows.append((
            "P7",
            f"{name}: {TRACKER_TICKETS:,} tickets",
            f"{first} requests first sync, {again} unchanged re-sync",
            f"<= {first_max} / <= {again_max}",
            first <= first_max and again <= again_max,
        ))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--incidents", type=int, default=INCIDENTS)
    parser.add_argument("--items", type=int, default=ACTION_ITEMS)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per page for P3")
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, 5 runs")
    parser.add_argument("--only", nargs="+", choices=TARGETS, default=TARGETS, metavar="P")
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="only the dashboard's targets: P3, P4 and P5's dashboard half (no ingest)",
    )
    args = parser.parse_args()
    ingest = not args.dashboard
    if args.dashboard:
        args.only = ["P3", "P4", "P5"]
    if args.quick:
        args.documents, args.incidents, args.items = 1_000, 10_000, 50_000
        args.runs = 5
    rows: list[Row] = []
    if ingest and {"P1", "P2", "P5"} & set(args.only):
        rows += ingest_rows(args.documents)
    if {"P3", "P4", "P5"} & set(args.only):
        with tempfile.TemporaryDirectory() as tmp:
            db = bigstore.build(Path(tmp) / "big.duckdb", args.incidents, args.items)
            # One process renders every page: its peak memory is P5, its calls are P3's.
            peak, recorded = render_every_page_once(db)
            if "P3" in args.only:
                rows += query_rows(db, recorded, args.runs)
            if "P4" in args.only:
                rows += render_rows(render_each_page(db))
            rows.append(dashboard_memory_row(peak))
    if "P6" in args.only:
        rows.append(notion_row())
    if "P7" in args.only:
        rows += tracker_rows()
    print(
        f"{args.documents:,} documents to ingest; {args.incidents:,} incidents / {args.items:,} "
        f"action items for the dashboard; {args.runs} timed runs per page"
    )
    shown = [r for r in sorted(rows, key=lambda r: r[0]) if r[0] in args.only]
    print_table(shown)
    missed = [f"{r[0]} {r[1]}" for r in shown if not r[4]]
    if missed:
        # `make bench` fails when a target is missed, so a miss cannot pass unnoticed.
        sys.exit(f"{len(missed)} target(s) missed: " + "; ".join(missed))


def print_table(rows: list[Row]) -> None:
    what = max(len(r[1]) for r in rows)
    measured = max(len(r[2]) for r in rows)
    target = max(len(r[3]) for r in rows)
    for rid, w, m, t, ok in rows:
        print(
            f"{rid}  {w:<{what}}  {m:<{measured}}  target {t:<{target}}  {'met' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
