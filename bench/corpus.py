"""A synthetic folder of post-mortems for the ingest benchmarks: ~3.5 KB and 5 action items each.

Titles and prose come from bench/similarity.py's generator, worded like real post-mortems
where it matters for the cost of a sync: distinct titles with about one document in twenty
a near-repeat of an earlier one, bodies from a large vocabulary. A corpus in which every
document has the same body and a title that differs only by a number made nearly every pair
"similar" (4.2 million similar pairs at 10,000 documents, each incident like 830 others), a
store no team has, and the benchmark then timed that instead of the sync. Each document
also has a timeline with clock times and a sentence stating a duration, as real ones do.
"""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from bench.similarity import documents

SERVICES = [
    "checkout",
    "payments",
    "search",
    "auth",
    "edge",
    "queue",
    "cache",
    "billing",
    "email",
    "api",
    "db",
    "cdn",
]
CATEGORIES = [
    "deployment",
    "capacity",
    "config",
    "dependency",
    "network",
    "database",
    "security",
    "monitoring",
]
STATUSES = ["open", "in_progress", "done", "wont_do"]
# Where each section's words start in a generated body of 250 words.
SECTIONS = (("Summary", 0), ("Contributing factors", 70), ("Root cause", 140),
            ("Customer impact", 200), (None, 250))  # fmt: skip


def write_corpus(folder: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts = documents(count, seed)
    for i, (title, prose, day) in enumerate(
        zip(texts["title"], texts["summary"], texts["incident_date"], strict=True)
    ):
        services = rng.sample(SERVICES, 2)
        items = "\n".join(
            f"  - title: Add an alert on {rng.choice(SERVICES)} error rate above {rng.randint(1, 9)}%\n"
            f'    owner: "@eng{rng.randrange(40)}"\n    due: {day + timedelta(days=30)}\n'
            f"    status: {rng.choice(STATUSES)}\n    ticket: OPS-{rng.randrange(99999)}"
            for _ in range(5)
        )
        words = prose.split()
        body = "\n\n".join(
            f"## {heading}\n{' '.join(words[begin:end])}."
            for (heading, begin), (_, end) in pairwise(SECTIONS)
        )
        timeline = "\n".join(
            f"- {9 + k}:{rng.randrange(60):02d} UTC {' '.join(rng.sample(words, 6))}"
            for k in range(10)
        )
        text = (
            f"---\ntitle: {title}\ndate: {day}\nseverity: SEV{rng.randint(1, 4)}\n"
            f"services: [{', '.join(services)}]\ncategories: [{rng.choice(CATEGORIES)}]\n"
            f"status: published\naction_items:\n{items}\n---\n\n# {title}\n\n{body}\n\n"
            f"## Timeline\n{timeline}\n\nThe service recovered within {rng.randint(5, 240)} "
            f"minutes of the first alert.\n\n## Action items\nIn the front matter.\n"
        )
        (folder / f"{day}-incident-{i:05d}.md").write_text(text)
