"""Render dashboard pages with Streamlit's AppTest in this process (P4, P5); run as a child.

`python -m bench.render STORE PAGE [PAGE …]` prints one JSON object: per page the seconds
of three renders, and the process's peak memory (MB) at the end.

- `first`: a fresh AppTest in a fresh process: the imports of the dashboard's modules
  (plotly, the pages, queries…) and Streamlit's caches both cold.
- `warm`: the same page again in a new AppTest after clearing Streamlit's data cache: the
  process and its store connection (`st.cache_resource`) are warm, but every query and
  chart is computed again, as for a visitor with new filters on a running server. This is
  the number P4 is judged on.
- `cached`: a rerun of that AppTest, answered from `st.cache_data`.

With `--keep-caches` the data cache is never cleared and each page is rendered once: a server
that has served every page once (P5). `--record FILE` then also pickles the query calls each
page made (bench/page_calls.py) into FILE, for P3.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any

from bench.page_calls import Call, check, open_page, recording


def timed_run(at: Any) -> float:
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    check(at)
    return seconds


def clear_data_cache() -> None:
    import streamlit as st

    st.cache_data.clear()


def peak_mb() -> float:
    # VmHWM, the high-water mark of this process's memory since it started. Not ru_maxrss:
    # Linux carries that across fork and exec, so a child of the bench, which has built the
    # 100,000-incident store in its own memory, reported the bench's peak (~2 GB), not its own.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (P5 is measured on Linux)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--keep-caches", action="store_true")
    parser.add_argument("--record", type=Path, help="with --keep-caches: pickle the calls here")
    args = parser.parse_args()
    os.environ["PMDASH_DB"] = args.store
    pages: dict[str, dict[str, float]] = {}
    recorded: dict[str, list[Call]] = {}
    for page in args.pages:
        if args.keep_caches:
            calls: list[Call] = []
            with recording(calls):
                pages[page] = {"first": timed_run(open_page(page))}
            recorded[page] = list(dict.fromkeys(calls))
            continue
        first = timed_run(open_page(page))
        clear_data_cache()
        at = open_page(page)
        warm = timed_run(at)
        pages[page] = {"first": first, "warm": warm, "cached": timed_run(at)}
    if args.record:
        args.record.write_bytes(pickle.dumps(recorded))
    print(json.dumps({"pages": pages, "peak_mb": peak_mb()}))


if __name__ == "__main__":
    main()
