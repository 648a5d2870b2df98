"""Drift, "status from", effective closure and "Fix held?" (SPEC §6) on the hand-built store
of tests/hand_store.py after a tracker answered for its four tickets (tracker_setup.py:
`answered_hand_store`, whose docstring lists the answers)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tracker_setup import answered_hand_store

from loaders import store
from loaders.trackers.lookup import reset
from queries import action_items, quality, recurrence
from queries.filters import Filters


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return store.connect_read_only(answered_hand_store(tmp_path_factory.mktemp("trackers")))


def test_drift_lists_disagreements_and_unknown_tickets(conn: duckdb.DuckDBPyConnection) -> None:
    rows = action_items.drift(conn, Filters())
    tracker = rows["tracker_status"].fillna("(none)")
    assert list(zip(rows["drift"], rows["ticket"], rows["document_status"], tracker, strict=True)) == [
        ("done in the document, open in the tracker", "WEB-3", "done", "open"),
        # newest incident first: D (2026-03-15), then A (2026-01-10)
        ("open in the document, closed in the tracker", "DB-7", "in_progress", "done"),
        ("open in the document, closed in the tracker", "OPS-2", "open", "done"),
        ("tracker does not know the ticket", "OPS-1", "done", "(none)"),
    ]  # fmt: skip
    assert rows["ticket_url"].iloc[0] == "https://jira.example.com/browse/WEB-3"


def test_status_from_shares(conn: duckdb.DuckDBPyConnection) -> None:
    row = action_items.status_sources(conn, Filters()).iloc[0].to_dict()
    # 9 items (the drill's F1 is out by default): the tracker speaks for A2, D1, I1; B1 and G1
    # have no status anywhere; A1 (ticket not found), B2, J1, C1 keep their document's.
    assert row == {
        "items": 9,
        "from_tracker": 3,
        "from_document": 4,
        "unknown": 2,
        "asked_a_tracker": 4,
        "with_ticket": 4,
    }


def test_closure_and_time_to_close_use_the_effective_status(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    summary = action_items.summary(conn, Filters(), as_of=date(2026, 6, 30)).iloc[0]
    # done: A1, A2 (tracker), B2, D1 (tracker); open: I1 (tracker), J1 -> 4 / 6.
    # From the documents alone it was 3 / 6 (A1, B2, I1 done; A2, J1 open; D1 in progress).
    assert (summary["done"], summary["open"], summary["in_progress"]) == (4, 2, 0)
    assert summary["closure_rate"] == pytest.approx(4 / 6)
    closing = action_items.time_to_close(conn, Filters()).set_index("group")
    # A1 15 days (01-10 -> 01-25), A2 22 (-> 02-01), B2 55 (03-01 -> 04-25), D1 5 (03-15 -> 03-20).
    assert closing.loc["all items", "n"] == 4
    assert closing.loc["all items", "median_days"] == pytest.approx(18.5)


def test_fix_held(conn: duckdb.DuckDBPyConnection) -> None:
    rows = recurrence.fix_held(
        conn, Filters(), dim="category", window_days=30, as_of=date(2026, 11, 30)
    )
    # A: all done by 2026-02-01 (A2 closed in the tracker); B (deploy) began 2026-03-01,
    # 28 days later: it did not hold. D: done 2026-03-20; the next database incident, E on
    # 2026-05-01, is 42 days later: it held. I is not all done (WEB-3 is open in the tracker).
    struck = [v if isinstance(v, str) else None for v in rows["struck_again_by"]]
    assert list(zip(rows["incident_id"], rows["held"], rows["fixed_on"], struck, strict=True)) == [
        ("team:A.md", "no", pd.Timestamp(2026, 2, 1), "deploy"),
        ("team:D.md", "yes", pd.Timestamp(2026, 3, 20), None),
    ]  # fmt: skip
    assert rows["repeat_date"].iloc[0] == pd.Timestamp(2026, 3, 1)
    early = recurrence.fix_held(
        conn, Filters(), dim="category", window_days=30, as_of=date(2026, 4, 10)
    )
    assert (
        early.set_index("incident_id").loc["team:D.md", "held"] == "so far"
    )  # window open until 04-19


def test_tracker_panel(conn: duckdb.DuckDBPyConnection) -> None:
    row = quality.tracker_status(conn).iloc[0].to_dict()
    assert {k: row[k] for k in ("tracker", "tickets", "found", "not_found", "forbidden", "not_checked", "requests")} == {
        "tracker": "jira", "tickets": 4, "found": 3, "not_found": 1, "forbidden": 0, "not_checked": 0, "requests": 1}  # fmt: skip


def test_disconnecting_restores_the_documents_values(tmp_path: Path) -> None:
    db = answered_hand_store(tmp_path)
    with store.writer(db) as writer:
        before = writer.execute("select status from action_items where ticket = 'OPS-2'").fetchall()
        reset(writer)  # what a sync runs when no tracker is configured any more
        rows = writer.execute(
            "select status, status_basis, tracker_state from action_items where ticket = 'OPS-2'"
        ).fetchall()
    assert before == [("done",)]  # the tracker's
    assert rows == [("open", "none", None)]  # the document's again
