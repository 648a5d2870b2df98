"""A synthetic folder of post-mortems for the ingest benchmarks: ~4 KB and 5 action items each."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

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
FILLER = (
    "The on-call engineer followed the runbook, checked the dashboards for the affected region, "
    "and compared error rates with the previous deploy before escalating to the owning team. "
)


def write_corpus(folder: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = date(2022, 1, 1)
    for i in range(count):
        day = start + timedelta(days=rng.randrange(1460))
        services = rng.sample(SERVICES, 2)
        items = "\n".join(
            f"  - title: Add an alert on {rng.choice(SERVICES)} error rate above {rng.randint(1, 9)}%\n"
            f'    owner: "@eng{rng.randrange(40)}"\n    due: {day + timedelta(days=30)}\n'
            f"    status: {rng.choice(STATUSES)}\n    ticket: OPS-{rng.randrange(99999)}"
            for _ in range(5)
        )
        body = "\n\n".join(
            f"## {heading}\n{FILLER * 5}"
            for heading in (
                "Summary",
                "Timeline",
                "Contributing factors",
                "Root cause",
                "Customer impact",
            )
        )
        text = (
            f"---\ntitle: Incident {i} in {services[0]}\ndate: {day}\nseverity: SEV{rng.randint(1, 4)}\n"
            f"services: [{', '.join(services)}]\ncategories: [{rng.choice(CATEGORIES)}]\n"
            f"status: published\naction_items:\n{items}\n---\n\n# Incident {i}\n\n{body}\n\n## Action items\nIn the front matter.\n"
        )
        (folder / f"{day}-incident-{i:05d}.md").write_text(text)
