"""Time of the similar-incidents step (similar pairs and themes) at 10,000 post-mortems.

The documents are generated, deterministic, and worded like real ones where it matters for
the cost: titles of 6-10 words from a few hundred (services, symptoms, causes) plus two rarer
words, bodies of
~250 words drawn from a 6,000-word vocabulary with a Zipf distribution (a few words in
most documents, most words rare), and about one document in twenty a near-repeat of an
earlier one. The step runs on a fresh in-memory store holding them, as a sync would run it.

    python -m bench.similarity [--documents 10000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from loaders.enrich.similar_incidents import SimilarIncidents
from loaders.store import SCHEMA

SERVICES = [f"{a}{b}" for a in ("pay", "auth", "search", "edge", "queue", "cache", "mail", "feed")
            for b in ("", "-api", "-db", "-worker")]  # fmt: skip
SYMPTOMS = ["timeouts", "errors", "outage", "slowdown", "data loss", "stale reads",
            "failed logins", "dropped messages", "high latency", "crash loop"]  # fmt: skip
CAUSES = ["database failover", "certificate expiry", "config push", "bad deploy",
          "disk full", "dns change", "memory leak", "traffic spike", "expired token",
          "schema migration", "dependency upgrade", "network partition"]  # fmt: skip
SYLLABLES = ["ka", "lo", "mi", "ren", "sto", "pa", "vel", "qui", "dor", "tan", "bre", "xu"]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def documents(count: int, seed: int = 1) -> pd.DataFrame:
    rng = random.Random(seed)
    words = vocabulary(6000, rng)
    zipf = np.random.default_rng(seed).zipf(1.3, size=(count, 250)) % len(words)
    start = date(2022, 1, 1)
    rows = []
    for i in range(count):
        if i > 20 and rng.random() < 0.05:  # a near-repeat of an earlier incident
            earlier = rows[rng.randrange(i)]
            title = earlier[1].replace(" after ", " following ")
        else:
            # Real titles also name something particular to the incident (a customer, a job,
            # a region): two words of the vocabulary.
            title = (
                f"{rng.choice(SERVICES)} {rng.choice(SYMPTOMS)} after {rng.choice(CAUSES)} "
                f"in {rng.choice(words)} {rng.choice(words)}"
            )
        body = " ".join(words[k] for k in zipf[i])
        day = start + timedelta(days=rng.randrange(1460))
        rows.append((f"bench:{i:05d}.md", title, body, day))
    return pd.DataFrame(rows, columns=["incident_id", "title", "summary", "incident_date"])


def store_with(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(":memory:")
    conn.execute(SCHEMA)
    conn.register("generated", frame)
    conn.execute(
        "insert into incidents (incident_id, source_name, source_kind, source_id, title, "
        "summary, root_cause, incident_date, loaded_at) "
        "select incident_id, 'bench', 'git', incident_id, title, summary, summary, "
        "incident_date, now() from generated"
    )
    conn.unregister("generated")
    return conn


def measure(count: int) -> dict[str, float | str]:
    conn = store_with(documents(count))
    step = SimilarIncidents(0.5)
    started = time.perf_counter()
    message = step.run(conn, changed=True)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = step.run(conn, changed=False)
    unchanged = time.perf_counter() - started
    return {"documents": count, "seconds": round(first, 2), "message": message,
            "unchanged_seconds": round(unchanged, 4), "unchanged_message": again}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    for key, value in measure(parser.parse_args().documents).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
