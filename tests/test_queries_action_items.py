"""Action-item metrics (SPEC §6) on the hand-built store (tests/hand_store.py).

Default filters select the items A1 A2 B1 B2 C1 D1 G1 I1 J1 (F1 belongs to a drill):
done A1 B2 I1; open A2 J1; in_progress D1; wont_do C1; unknown B1 G1.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.hygiene import vague_reason
from loaders.store import SCHEMA, connect_read_only
from queries import action_items
from queries.filters import Filters

JUNE_30 = date(2026, 6, 30)

ALL = Filters()


@pytest.fixture(scope="module")
def conn(hand_db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(hand_db)


def summary(conn: duckdb.DuckDBPyConnection, as_of: date, filters: Filters = ALL) -> dict:
    return action_items.summary(conn, filters, as_of=as_of).iloc[0].to_dict()


def test_closure_rate_leaves_wont_do_and_unknown_out_and_shows_them_beside_it(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    s = summary(conn, JUNE_30)
    assert (s["items"], s["done"], s["open"], s["in_progress"], s["wont_do"], s["unknown"]) == (
        9, 3, 2, 1, 1, 2,
    )  # fmt: skip
    assert s["closure_rate"] == pytest.approx(3 / 6)  # done / (done + open + in_progress)
    assert s["wont_do_share"] == pytest.approx(1 / 9)  # C1 of all 9 items
    assert s["unknown_share"] == pytest.approx(2 / 9)  # B1 and G1 of all 9 items


def test_on_time_rate_counts_done_items_with_both_dates(conn: duckdb.DuckDBPyConnection) -> None:
    s = summary(conn, JUNE_30)
    # A1 closed 01-25, due 02-01: on time. B2 closed 04-25, due 04-01: late.
    # I1 closed 06-10, due 06-15: on time.
    assert s["done_with_both_dates"] == 3
    assert s["on_time_rate"] == pytest.approx(2 / 3)


def test_overdue_on_a_fixed_day(conn: duckdb.DuckDBPyConnection) -> None:
    # On 06-30: A2 (open, due 03-01) and D1 (in progress, due 04-01). J1 is due 12-31.
    assert summary(conn, JUNE_30)["overdue"] == 2
    rows = action_items.overdue(conn, Filters(), as_of=JUNE_30)
    assert rows["action_item_id"].tolist() == ["team:A.md#2", "team:D.md#1"]  # due date order
    assert rows["days_overdue"].tolist() == [121, 90]  # 03-01 → 06-30, 04-01 → 06-30
    assert rows[["owner", "ticket"]].values.tolist() == [["bob", "OPS-2"], ["dave", "DB-7"]]
    assert rows["incident_url"].tolist() == [
        "https://example.com/pm/A",
        "https://example.com/pm/D",
    ]


def test_overdue_on_a_past_day_counts_items_done_after_it(conn: duckdb.DuckDBPyConnection) -> None:
    # On 04-10: A2 and D1 as before, and B2 (due 04-01) which was only done on 04-25.
    rows = action_items.overdue(conn, Filters(), as_of=date(2026, 4, 10))
    assert sorted(rows["action_item_id"]) == ["team:A.md#2", "team:B.md#2", "team:D.md#1"]
    # On 03-01 nothing is overdue yet: A2 is due that very day (overdue means due before it).
    assert summary(conn, date(2026, 3, 1))["overdue"] == 0


def test_status_by_quarter_opened_falls_back_to_the_incident_date(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    frame = action_items.status_by_quarter(conn, Filters())
    cells = {(r.quarter, r.status): r.items for r in frame.itertuples()}
    # Q1: A1 A2 (A 01-10), B1 B2 (B 03-01), D1 (D 03-15). Q2: I1 (created 06-03), J1 (J 06-20).
    # Q4: C1 (C 11-01). G1's incident has no date: 'no date', with unknown its own band.
    assert cells == {
        ("2026Q1", "done"): 2,
        ("2026Q1", "in_progress"): 1,
        ("2026Q1", "open"): 1,
        ("2026Q1", "unknown"): 1,
        ("2026Q2", "done"): 1,
        ("2026Q2", "open"): 1,
        ("2026Q4", "wont_do"): 1,
        ("no date", "unknown"): 1,
    }


def test_ageing_buckets_on_a_fixed_day(conn: duckdb.DuckDBPyConnection) -> None:
    frame = action_items.ageing(conn, Filters(), as_of=JUNE_30)
    cells = {(r.age_bucket, r.status): r.items for r in frame.itertuples()}
    # Unfinished on 06-30: A2 open, 171 days old; B1 unknown, 121; D1 in progress, 107;
    # J1 open, 10; G1 unknown, no date. C1 is wont_do (finished) and from November anyway.
    assert cells == {
        ("0–30 days", "open"): 1,
        ("91–180 days", "in_progress"): 1,
        ("91–180 days", "open"): 1,
        ("91–180 days", "unknown"): 1,
        ("no date", "unknown"): 1,
    }


def test_time_to_close_is_a_distribution(conn: duckdb.DuckDBPyConnection) -> None:
    frame = action_items.time_to_close(conn, Filters()).set_index("group")
    # A1: 01-10 → 01-25 = 15 days; B2: 03-01 → 04-25 = 55; I1: created 06-03 → 06-10 = 7.
    # Sorted 7, 15, 55: median 15; p90 at position 0.9 × 2 = 1.8 → 15 + 0.8 × (55 − 15) = 47.
    overall = frame.loc["all items"]
    assert (overall["n"], overall["median_days"], overall["p90_days"]) == (3, 15, pytest.approx(47))
    assert bool(overall["small_n"])  # 3 < 5
    assert frame.loc["SEV2", "median_days"] == 55  # B2 alone


def test_by_owner_and_by_service(conn: duckdb.DuckDBPyConnection) -> None:
    owners = action_items.by_owner(conn, Filters(), as_of=JUNE_30).set_index("owner")
    # alice: A1 done, C1 wont_do → closure 1 / 1; erin: I1 done, J1 open → 1 / 2.
    assert owners.loc["alice", ["items", "done", "wont_do"]].tolist() == [2, 1, 1]
    assert owners.loc["alice", "closure_rate"] == 1
    assert owners.loc["erin", "closure_rate"] == pytest.approx(0.5)
    assert owners.loc["(no owner)", ["items", "unknown"]].tolist() == [2, 2]  # B1, G1
    assert pd.isna(owners.loc["(no owner)", "closure_rate"])  # no done/open/in progress item
    assert owners["overdue"].to_dict() == {
        "alice": 0, "erin": 0, "(no owner)": 0, "bob": 1, "carol": 0, "dave": 1,
    }  # fmt: skip
    services = action_items.by_service(conn, Filters(), as_of=JUNE_30).set_index("service")
    # api: A1 A2 B1 B2 C1 (H has none); db: D1; web: I1 J1. G has no service.
    assert services["items"].to_dict() == {"api": 5, "web": 2, "db": 1}
    assert services.loc["api", "closure_rate"] == pytest.approx(2 / 3)  # A1 B2 of A1 A2 B2


def test_hygiene_shares_per_source_and_overall(conn: duckdb.DuckDBPyConnection) -> None:
    frame = action_items.hygiene(conn, Filters()).set_index("source")
    assert list(frame.index) == ["all sources", "team", "wiki"]
    overall = frame.loc["all sources"]
    # Owner: all but B1 and G1 → 7 / 9. Due date: A1 A2 B2 D1 I1 J1 → 6 / 9.
    # Ticket: A1 A2 D1 I1 → 4 / 9. Vague: B1 "Improve monitoring" (2 words), C1 "Investigate
    # slow queries" (3 words), J1 "Review config changes …" and G1 "Look into alert noise …"
    # (vague verb, nothing measurable) → 4 / 9.
    assert overall["items"] == 9
    assert overall[["with_owner", "with_due_date", "with_ticket", "vague"]].tolist() == [
        pytest.approx(7 / 9), pytest.approx(6 / 9), pytest.approx(4 / 9), pytest.approx(4 / 9),
    ]  # fmt: skip
    # wiki holds only G1: no owner, no due date, no ticket, vague.
    assert frame.loc["wiki"].tolist() == [1, 0, 0, 0, 1]


def test_vague_items_lists_unfinished_ones_with_the_reason(conn: duckdb.DuckDBPyConnection) -> None:
    frame = action_items.vague(conn, Filters())
    # C1 is vague too but won't be done, so it needs no rewrite.
    assert sorted(frame["action_item_id"]) == ["team:B.md#1", "team:J.md#1", "wiki:G.md#1"]
    reasons = dict(zip(frame["action_item_id"], frame["reason"], strict=True))
    assert reasons["team:B.md#1"] == "fewer than 4 words"
    assert reasons["team:J.md#1"] == "'review' with no measurable target"
    assert reasons["wiki:G.md#1"] == "'look into' with no measurable target"


def test_the_action_items_export_lists_every_selected_item(conn: duckdb.DuckDBPyConnection) -> None:
    frame = action_items.listing(conn, Filters(), as_of=JUNE_30)
    assert len(frame) == 9  # F1 belongs to the drill
    assert frame.loc[frame["is_overdue"], "action_item_id"].tolist() == [
        "team:D.md#1",
        "team:A.md#2",
    ]
    drills = action_items.listing(conn, Filters(kinds=("drill",)), as_of=JUNE_30)
    # F1: open, due 04-15, overdue on 06-30.
    assert drills[["action_item_id", "is_overdue"]].values.tolist() == [["team:F.md#1", True]]


VAGUE_WORDS = ["Improve", "investigate", "LOOK INTO", "monitor", "review", "check", "add",
               "alert", "the", "db", "p99", "500ms", "`cron`", "so that", "über", "naïve",
               "a/b", "x-y", "—", "(done)", "_", "2%", "Überwachung"]  # fmt: skip
SPACES = [" ", "  ", "\u00a0", "\t", "\u2003", " / "]


@pytest.fixture(scope="module")
def one_item_store() -> duckdb.DuckDBPyConnection:
    """An in-memory store with one incident, whose single action item each example rewrites."""
    conn = duckdb.connect()
    conn.execute(SCHEMA)
    conn.execute(
        "insert into incidents (incident_id, source_name, source_kind, source_id, kind, "
        "loaded_at) values ('s:x', 's', 'git', 'x', 'incident', now())"
    )
    return conn


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.tuples(st.sampled_from(SPACES), st.sampled_from(VAGUE_WORDS)), max_size=7))
def test_the_sync_step_flags_exactly_the_titles_the_vague_rule_flags(
    one_item_store: duckdb.DuckDBPyConnection, parts: list[tuple[str, str]]
) -> None:
    # The step narrows the titles in SQL before the rule judges them: the narrowing must
    # never drop a title the rule flags, and the rule keeps the last word.
    title = "".join(space + word for space, word in parts)
    one_item_store.execute("delete from action_items")
    one_item_store.execute(
        "insert into action_items (action_item_id, incident_id, position, title, status, "
        "status_basis) values ('s:x#1', 's:x', 1, $title, 'open', 'none')",
        {"title": title},
    )
    DashboardFacts().run(one_item_store, changed=True)
    flagged = one_item_store.execute("select reason from vague_action_items").fetchall()
    assert flagged == ([(vague_reason(title),)] if vague_reason(title) else [])
