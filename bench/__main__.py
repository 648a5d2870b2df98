"""`make bench`: the performance targets of SPEC §9, each printed as a ratio measured in this run.

P1 ingest of 10,000 post-mortems vs the floor (read every file + parse its front matter with
PyYAML's C loader); P2 re-sync of the same folder unchanged vs P1; P5 peak memory of the
ingest. Ingest runs in a child process so its peak memory is its own.
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

from bench.corpus import write_corpus

DOCUMENTS = 10_000


def floor_seconds(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        yaml.load(text.split("---", 2)[1], Loader=yaml.CSafeLoader)  # noqa: S506
    return time.perf_counter() - started


def timed_sync(folder: Path, db: Path) -> dict[str, float]:
    """Run one sync in a child process; its wall time and peak memory (MB)."""
    code = (
        "import json, resource, sys, time\n"
        "from loaders.config import Config, SourceConfig\n"
        "from loaders.git_folder import GitFolderSource\n"
        "from loaders.sync import sync\n"
        "source = GitFolderSource.from_config(SourceConfig('bench', 'git', {'path': sys.argv[1]}), Config())\n"
        "t = time.perf_counter(); [r] = sync(sys.argv[2], [source]); t = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': t, 'peak_mb': peak, 'loaded': r.loaded, 'unchanged': r.unchanged}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "docs", Path(tmp) / "bench.duckdb"
        write_corpus(folder, args.documents)
        floor_seconds(folder)  # warm the page cache so the floor and P1 read alike
        floor = floor_seconds(folder)
        first = timed_sync(folder, db)
        again = timed_sync(folder, db)
    assert first["loaded"] == args.documents and again["unchanged"] == args.documents
    p1, p2 = first["seconds"] / floor, again["seconds"] / first["seconds"]
    rows = [
        (
            "P1",
            f"ingest {args.documents} documents",
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
    for rid, what, measured, target, ok in rows:
        print(f"{rid}  {what:<28} {measured:<40} target {target:<10} {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
