"""Repeats, recurring patterns and déjà vu (SPEC §6) on the hand-built store.

The store is described in tests/hand_store.py; dates in the comments below are 2026.
Default filters select A B C D E G H I J (F is a drill; G has no date, service or category).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.store import connect_read_only
from queries import recurrence
from queries.filters import Filters

NO_WINDOW = 100_000  # days: longer than any gap in the store, i.e. "any earlier incident"

ALL = Filters()


@pytest.fixture(scope="module")
def conn(hand_db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(hand_db)


def repeats(conn: duckdb.DuckDBPyConnection, filters: Filters = ALL, **kw: object) -> dict:
    return recurrence.repeat_summary(conn, filters, **kw).iloc[0].to_dict()  # type: ignore[arg-type]


def test_repeat_by_service_within_the_window(conn: duckdb.DuckDBPyConnection) -> None:
    summary = repeats(conn, dim="service", window_days=180)
    # api: A 01-10, B 03-01 (50 days after A: repeat), H 04-20 (50 after B: repeat),
    #      C 11-01 (195 after H: not within 180); db: D 03-15, E 05-01 (47 after D: repeat);
    # web: I 06-01 (F 04-01 is a drill, not selected), J 06-20 (19 after I: repeat).
    assert summary["incidents"] == 9
    assert summary["repeats"] == 4  # B, H, E, J
    assert summary["repeat_rate"] == pytest.approx(4 / 9)
    assert summary["without_value"] == 1  # G names no service


def test_repeat_without_the_window_counts_any_earlier_incident(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    # With no window C (195 days after H) is a repeat too.
    summary = repeats(conn, dim="service", window_days=NO_WINDOW)
    assert summary["repeats"] == 5
    assert summary["repeat_rate"] == pytest.approx(5 / 9)


def test_the_window_bound_is_inclusive(conn: duckdb.DuckDBPyConnection) -> None:
    # C began exactly 195 days after H: a 195-day window makes it a repeat, 194 does not.
    assert repeats(conn, dim="service", window_days=195)["repeats"] == 5
    assert repeats(conn, dim="service", window_days=194)["repeats"] == 4


def test_drills_are_earlier_incidents_only_when_selected(conn: duckdb.DuckDBPyConnection) -> None:
    with_drills = Filters(kinds=("incident", "near_miss", "drill"))
    summary = repeats(conn, with_drills, dim="service", window_days=180)
    # F (drill, web, 04-01) is now selected: I (06-01, 61 days later) becomes a repeat.
    assert summary["incidents"] == 10
    assert summary["repeats"] == 5  # B, H, E, I, J
    assert summary["repeat_rate"] == pytest.approx(0.5)


def test_an_earlier_incident_outside_the_date_range_still_makes_a_repeat(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    q2 = Filters(start=date(2026, 4, 1), end=date(2026, 6, 30))
    summary = repeats(conn, q2, dim="service", window_days=180)
    # Q2 holds H, E, I, J. H repeats B and E repeats D, both from Q1; J repeats I.
    assert (summary["incidents"], summary["repeats"]) == (4, 3)


def test_repeat_by_category_and_by_pair(conn: duckdb.DuckDBPyConnection) -> None:
    # deploy: A, B (repeat), H (repeat); database: D, E (47 days: repeat), C (184 days after
    # E: not); config: I, J (repeat). The pair gives the same groups here.
    assert repeats(conn, dim="category", window_days=180)["repeats"] == 4
    assert repeats(conn, dim="service_category", window_days=180)["repeats"] == 4
    # C is api × database: no earlier api × database incident, even without a window.
    assert repeats(conn, dim="service_category", window_days=NO_WINDOW)["repeats"] == 4
    assert repeats(conn, dim="category", window_days=NO_WINDOW)["repeats"] == 5


def test_a_service_filter_restricts_the_values_that_can_repeat(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    summary = repeats(conn, Filters(services=("db",)), dim="service", window_days=180)
    assert (summary["incidents"], summary["repeats"]) == (2, 1)  # D, E; E repeats D


def test_repeat_rate_by_quarter_and_by_value(conn: duckdb.DuckDBPyConnection) -> None:
    by_quarter = recurrence.repeat_rate_by_quarter(conn, Filters(), dim="service", window_days=180)
    rows = by_quarter.set_index("quarter")[["incidents", "repeats"]].to_dict("index")
    # Q1: A, B (repeat), D; Q2: H (repeat), E (repeat), I, J (repeat); Q4: C. G has no date.
    assert rows == {
        "2026Q1": {"incidents": 3, "repeats": 1},
        "2026Q2": {"incidents": 4, "repeats": 3},
        "2026Q4": {"incidents": 1, "repeats": 0},
    }
    by_value = recurrence.repeat_rate_by_value(conn, Filters(), dim="service", window_days=180)
    assert list(by_value.columns) == ["service", "incidents", "repeats", "repeat_rate"]
    assert by_value.set_index("service")["repeats"].to_dict() == {"api": 2, "db": 1, "web": 1}
    assert by_value.set_index("service").loc["api", "repeat_rate"] == pytest.approx(2 / 4)


def test_recurring_pattern_needs_threshold_incidents_inside_one_window(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    found = recurrence.patterns(conn, Filters(), dim="service", window_days=180, threshold=3)
    # api: A, B, H lie within 100 days; C is 195 days after H and 245 after B, so no window
    # holding C has 3 incidents. db (D, E) and web (I, J) have 2 each.
    assert list(found.columns) == [
        "service", "incidents", "most_in_one_window", "first_date", "last_date",
    ]  # fmt: skip
    assert found[["service", "incidents", "most_in_one_window"]].values.tolist() == [["api", 3, 3]]
    assert (found["first_date"].iloc[0].date(), found["last_date"].iloc[0].date()) == (
        date(2026, 1, 10),
        date(2026, 4, 20),
    )
    members = recurrence.pattern_incidents(
        conn, Filters(), dim="service", window_days=180, threshold=3
    )
    assert members["incident_id"].tolist() == ["team:A.md", "team:B.md", "team:H.md"]
    # A has 2 items, 1 done (A1); B has 2, 1 done (B2); H has none.
    assert members["action_items"].tolist() == [2, 2, 0]
    assert members["action_items_done"].tolist() == [1, 1, 0]


def test_patterns_with_a_lower_threshold_or_a_shorter_window(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    two = recurrence.patterns(conn, Filters(), dim="service", window_days=180, threshold=2)
    # api has 3; web and db 2 each, and ties list the most recent first (J 06-20, E 05-01).
    assert two["service"].tolist() == ["api", "web", "db"]
    # With a 60-day window A (01-10) and H (04-20) are 100 days apart: api holds at most 2.
    short = recurrence.patterns(conn, Filters(), dim="service", window_days=60, threshold=3)
    assert short.empty


def test_active_from_keeps_patterns_that_struck_on_or_after_it(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    kw = {"dim": "service", "window_days": 180, "threshold": 3}
    # The api pattern's last incident is H on 04-20.
    assert len(recurrence.patterns(conn, Filters(), **kw, active_from=date(2026, 4, 20))) == 1  # type: ignore[arg-type]
    assert recurrence.patterns(conn, Filters(), **kw, active_from=date(2026, 4, 21)).empty  # type: ignore[arg-type]


def test_deja_vu_true_and_false(conn: duckdb.DuckDBPyConnection) -> None:
    found = recurrence.deja_vu(conn, Filters(), dim="service", window_days=180)
    rows = {r.incident_id: r for r in found.itertuples()}
    # B repeats A (50 days) while A2 is open: déjà vu.
    # H repeats within 180 days of A (A2 still open) and of B (B2 done only on 04-25, after H
    #   began on 04-20; B1 is 'unknown', which does not count). A stays pending longest.
    # E repeats D while D1 is in progress: déjà vu.
    # J repeats I, whose only item I1 was done on 06-10, before J (06-20): no déjà vu.
    assert {i: (r.service, r.earlier_incident_id) for i, r in rows.items()} == {
        "team:B.md": ("api", "team:A.md"),
        "team:H.md": ("api", "team:A.md"),
        "wiki:E.md": ("db", "team:D.md"),
    }
    assert rows["team:H.md"].items_not_done_titles == (
        "Roll back automatically when the 5xx ratio exceeds 2%"
    )
    assert rows["wiki:E.md"].items_not_done == 1


def test_deja_vu_counts_items_done_only_after_the_repeat_began(
    hand_db: str, tmp_path: Path
) -> None:
    # Déjà vu is kept at sync for the configured window: a store synced with 60 days.
    db = tmp_path / "store.duckdb"
    shutil.copy(hand_db, db)
    with duckdb.connect(str(db)) as writer:
        DashboardFacts(window_days=60).run(writer, changed=True)
    conn = connect_read_only(str(db))
    # Within 60 days H's only earlier api incident is B (A is 100 days back): B2 was done on
    # 04-25, after H began on 04-20, so H is still déjà vu, through B2.
    found = recurrence.deja_vu(conn, Filters(), dim="service", window_days=60)
    rows = {r.incident_id: r for r in found.itertuples()}
    assert rows["team:H.md"].earlier_incident_id == "team:B.md"
    assert rows["team:H.md"].items_not_done_titles == "Write a runbook for deploy rollback"
    assert sorted(rows) == ["team:B.md", "team:H.md", "wiki:E.md"]


def test_service_category_matrix(conn: duckdb.DuckDBPyConnection) -> None:
    matrix = recurrence.service_category_matrix(conn, Filters())
    cells = {(r.service, r.category): r.incidents for r in matrix.itertuples()}
    # api × deploy: A, B, H; api × database: C; db × database: D, E; web × config: I, J.
    assert cells == {
        ("api", "database"): 1,
        ("api", "deploy"): 3,
        ("db", "database"): 2,
        ("web", "config"): 2,
    }


def test_two_periods_in_one_query_match_each_period_alone(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    q2 = Filters(start=date(2026, 4, 1), end=date(2026, 6, 30))
    q1 = q2.previous_period(date(2026, 4, 1), date(2026, 6, 30))  # 2025-12-31 to 2026-03-31
    both = recurrence.repeat_summary_by_period(conn, q2, q1, dim="service", window_days=180)
    assert list(both.index) == ["current", "previous"]
    # Q2: H, E, I, J, of which H, E, J are repeats; Q1: A, B, D, of which B is.
    assert both.loc["current", "repeats"] == 3 and both.loc["current", "incidents"] == 4
    assert both.loc["previous", "repeats"] == 1 and both.loc["previous", "incidents"] == 3
    for period, filters in (("current", q2), ("previous", q1)):
        assert both.loc[period].to_dict() == repeats(conn, filters, dim="service", window_days=180)
    # Open at both ends, this period keeps the undated G, as repeat_summary does.
    open_ = recurrence.repeat_summary_by_period(conn, ALL, q1, dim="service", window_days=180)
    assert open_.loc["current"].to_dict() == repeats(conn, dim="service", window_days=180)


def test_two_periods_must_share_every_filter_but_the_dates(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(ValueError, match="only in their dates"):
        recurrence.repeat_summary_by_period(
            conn, ALL, Filters(severities=("SEV1",)), dim="service", window_days=180
        )
