"""Shared set-up of the tracker tests: post-mortems that name tickets, and a sync of them with
`[trackers.*]` pointed at the fake servers of tests/fakes/."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import hand_store
from conftest import git_source, query

from loaders import store
from loaders.config import parse_config
from loaders.enrich import steps_for
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.sync import SyncResult, sync
from loaders.trackers.lookup import ANSWER_COLUMNS, apply_answers, keep_document_values

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
    return "\n".join(str(query(db, f"select * from {t}")) for t in tables)


CHECKED = datetime(2026, 11, 27, 9, 30)
ANSWERS = [
    ("jira", "OPS-1", "not_found", None, None, None, None, None, None, None, None, CHECKED),
    ("jira", "OPS-2", "found", "done", "Done / Done", datetime(2026, 2, 1, 10), "bob", None, None, None, None, CHECKED),
    ("jira", "DB-7", "found", "done", "Done / Fixed", datetime(2026, 3, 20, 9), "dave", None, None, None, None, CHECKED),
    ("jira", "WEB-3", "found", "open", "To Do", None, None, None, None, None, None, CHECKED),
]  # fmt: skip


def answered_hand_store(folder: Path) -> str:
    """The hand-built store of tests/hand_store.py after a Jira tracker answered, through the
    code a sync runs (loaders/trackers/lookup.py):
        A1 OPS-1  not found             document: done, closed 2026-01-25
        A2 OPS-2  done 2026-02-01 10:00 document: open
        D1 DB-7   done 2026-03-20 09:00 document: in_progress
        I1 WEB-3  open                  document: done, closed 2026-06-10
    """
    db = hand_store.build(folder / "store.duckdb")
    with store.writer(db) as writer:
        keep_document_values(writer)
        store.append_rows(writer, "tracker_tickets", ANSWER_COLUMNS, ANSWERS)
        refs = writer.execute(
            "select action_item_id, ticket, 'https://jira.example.com/browse/' || ticket as url "
            "from action_items where ticket is not null"
        ).df()
        apply_answers(writer, "jira", refs)
        writer.execute(
            "insert into tracker_lookups values ('jira', ?, 4, 4, 1, null, null)", [CHECKED]
        )
        # As in a sync, the dashboard's facts come last, from the tracker's effective statuses.
        DashboardFacts().run(writer, changed=True)
    return db
