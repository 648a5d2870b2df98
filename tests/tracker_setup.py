"""Shared set-up of the tracker tests: post-mortems that name tickets, and a sync of them with
`[trackers.*]` pointed at the fake servers of tests/fakes/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import git_source, query

from loaders.config import parse_config
from loaders.enrich import steps_for
from loaders.sync import SyncResult, sync

GITHUB_TOKEN = "ghp_fake-token-123"  # the fake's token; tests check it never leaks
JIRA_USER, JIRA_TOKEN = "jane@example.com", "jira-api-token-456"


def write_items(folder: Path, items: list[str], name: str = "pm.md") -> Path:
    """One post-mortem whose action items are `items` (Markdown list lines)."""
    folder.mkdir(exist_ok=True)
    body = "\n".join(f"- {item}" for item in items)
    (folder / name).write_text(f"# 2024-05-01 Checkout outage\n\n## Action items\n{body}\n")
    return folder


def run(db: Path, docs: Path, trackers: dict[str, Any]) -> dict[str, SyncResult]:
    config = parse_config({"trackers": trackers})
    results = sync(str(db), [git_source(docs, config=config)], None, steps_for(config))
    return {r.source_name: r for r in results}


def items(db: Path) -> dict[str, dict[str, Any]]:
    """Action items by their (effective) ticket."""
    rows = query(db, "select * from action_items where ticket is not null order by position")
    return {r["ticket"]: r for r in rows}


def everything_stored(db: Path) -> str:
    """Every value of every table, as one text, to look for a secret in."""
    tables = [
        r["table_name"] for r in query(db, "select table_name from information_schema.tables")
    ]
    return "\n".join(str(query(db, f"select * from {t}")) for t in tables)  # noqa: S608
