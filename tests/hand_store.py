"""A small store built by hand, so that every number a metric test expects can be worked out
on paper. Written through the real store writer, so it has the real schema.

Incidents (source `team` unless noted; kind `incident` unless noted):

    id  date        severity  service  category  notes
    A   2026-01-10  SEV1      api      deploy    detect 5 min, recover 60 min; all 6 sections
    B   2026-03-01  SEV2      api      deploy    detect 10, recover 30
    D   2026-03-15  SEV2      db       database  recover 240; all 6 sections
    F   2026-04-01  SEV3      web      config    kind drill: out by default
    H   2026-04-20  SEV3      api      deploy    detect 20, recover 120
    E   2026-05-01  (none)    db       database  source `wiki`; recover 15
    I   2026-06-01  SEV3      web      config    detect 4, recover 45; all 6 sections
    J   2026-06-20  SEV3      web      config    detect 6, recover 90
    C   2026-11-01  SEV3      api      database  detect 8
    G   (no date)   SEV4      -        -         source `wiki`; kind not stated

Action items (status; due; closed; owner; ticket):

    A1 done 2026-02-01 closed 2026-01-25 alice OPS-1   A2 open due 2026-03-01 bob OPS-2
    B1 unknown, no owner, no due, "Improve monitoring"  B2 done due 2026-04-01 closed 2026-04-25 carol
    D1 in_progress due 2026-04-01 dave DB-7             C1 wont_do alice, no due, "Investigate slow queries"
    I1 done due 2026-06-15 closed 2026-06-10 erin WEB-3, created 2026-06-03
    J1 open due 2026-12-31 erin, "Review config changes in the weekly meeting"
    G1 unknown, no owner, "Look into alert noise from the batch jobs"
    F1 open due 2026-04-15 frank (the drill's item: out by default)
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from loaders import store
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import SECTIONS, ActionItem, PostMortem

LOADED_AT = datetime(2026, 11, 27, 9, 0)
ALL_SECTIONS = list(SECTIONS)


def _incident(
    key: str,
    day: date | None,
    severity: str | None,
    services: list[str],
    categories: list[str],
    *,
    source: str = "team",
    kind: str | None = "incident",
    detect: float | None = None,
    recover: float | None = None,
    sections: list[str] | None = None,
    items: list[ActionItem] | None = None,
) -> PostMortem:
    return PostMortem(
        source_name=source,
        source_kind="git" if source == "team" else "notion",
        source_id=f"{key}.md",
        title=f"Incident {key}",
        source_url=f"https://example.com/pm/{key}",
        incident_date=day,
        severity=severity,
        severity_rank=int(severity[3]) if severity else None,
        severity_raw=severity,
        status="published",
        kind=kind,
        services=[(s, s) for s in services],
        categories=[(c, c) for c in categories],
        time_to_detect_minutes=detect,
        time_to_recover_minutes=recover,
        sections=sections if sections is not None else ["summary"],
        action_items=items or [],
        provenance={"incident_date": "front matter", "severity": "front matter"},
        content_hash=key,
    )


def _item(position: int, title: str, status: str, **fields: object) -> ActionItem:
    return ActionItem(position=position, title=title, status=status, **fields)  # type: ignore[arg-type]


def postmortems() -> list[PostMortem]:
    d = date
    return [
        _incident("A", d(2026, 1, 10), "SEV1", ["api"], ["deploy"], detect=5, recover=60,
                  sections=ALL_SECTIONS, items=[
            _item(1, "Add a canary stage to the deploy pipeline", "done", owner="alice",
                  due_date=d(2026, 2, 1), closed_at=datetime(2026, 1, 25, 12, 0), ticket="OPS-1"),
            _item(2, "Roll back automatically when the 5xx ratio exceeds 2%", "open",
                  owner="bob", due_date=d(2026, 3, 1), ticket="OPS-2"),
        ]),
        _incident("B", d(2026, 3, 1), "SEV2", ["api"], ["deploy"], detect=10, recover=30,
                  sections=["summary", "timeline", "root_cause", "action_items"], items=[
            _item(1, "Improve monitoring", "unknown"),
            _item(2, "Write a runbook for deploy rollback", "done", owner="carol",
                  due_date=d(2026, 4, 1), closed_at=datetime(2026, 4, 25, 9, 0)),
        ]),
        _incident("D", d(2026, 3, 15), "SEV2", ["db"], ["database"], recover=240,
                  sections=ALL_SECTIONS, items=[
            _item(1, "Add an index on orders.created_at", "in_progress", owner="dave",
                  due_date=d(2026, 4, 1), ticket="DB-7"),
        ]),
        _incident("F", d(2026, 4, 1), "SEV3", ["web"], ["config"], kind="drill", items=[
            _item(1, "Practise the failover twice a year", "open", owner="frank",
                  due_date=d(2026, 4, 15)),
        ]),
        _incident("H", d(2026, 4, 20), "SEV3", ["api"], ["deploy"], detect=20, recover=120,
                  sections=["summary", "timeline", "impact", "action_items"]),
        _incident("E", d(2026, 5, 1), None, ["db"], ["database"], source="wiki", recover=15),
        _incident("I", d(2026, 6, 1), "SEV3", ["web"], ["config"], detect=4, recover=45,
                  sections=ALL_SECTIONS, items=[
            _item(1, "Pin the config schema version in the CI check", "done", owner="erin",
                  due_date=d(2026, 6, 15), closed_at=datetime(2026, 6, 10, 16, 0),
                  created_at=datetime(2026, 6, 3, 10, 0), ticket="WEB-3"),
        ]),
        _incident("J", d(2026, 6, 20), "SEV3", ["web"], ["config"], detect=6, recover=90,
                  sections=["summary", "action_items"], items=[
            _item(1, "Review config changes in the weekly meeting", "open", owner="erin",
                  due_date=d(2026, 12, 31)),
        ]),
        _incident("C", d(2026, 11, 1), "SEV3", ["api"], ["database"], detect=8,
                  sections=["summary", "action_items"], items=[
            _item(1, "Investigate slow queries", "wont_do", owner="alice"),
        ]),
        _incident("G", None, "SEV4", [], [], source="wiki", kind=None, items=[
            _item(1, "Look into alert noise from the batch jobs", "unknown"),
        ]),
    ]  # fmt: skip


def build(path: Path) -> str:
    """Write the hand-built store to `path` and return its DuckDB string."""
    db = str(path)
    with store.writer(db) as conn:
        store.insert_postmortems(conn, postmortems(), LOADED_AT)
        conn.execute(
            "insert into sync_runs values "
            "('s1', 'team', '2026-11-27 08:00', '2026-11-27 08:01', 'ok', 9, 8, 0, 1, 0, null), "
            "('s2', 'wiki', '2026-11-27 08:02', '2026-11-27 08:03', 'partial', 3, 2, 0, 0, 1, null)"
        )
        conn.execute(
            "insert into load_errors values "
            "('s1', 'team', 'README.md', 'warning', 'an index of other documents, not a post-mortem'), "
            "('s2', 'wiki', 'page-9', 'error', 'front matter is not a mapping')"
        )
        # What a sync's last step keeps for the dashboard (action-item counts, vague items).
        DashboardFacts().run(conn, changed=True)
    return db


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    return store.connect_read_only(build(path))
