"""`incident_recurrence`, kept by the last sync step (loaders/enrich/recurrence_facts.py): its
rows on the hand-built store worked out on paper, and every recurrence table the pages show
equal to what the queries computed before the table existed (their SQL kept in
tests/fixtures/recurrence_before/), on the sample and on the sample with every enrichment
step, under filters that change which incidents count as earlier ones."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES, query

from bench import bigstore
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import KINDS
from loaders.store import StoreError, connect_read_only
from queries import recurrence, runner, tables
from queries.filters import DIMENSIONS, FIRM_BASES, Filters
from queries.tables import View

BEFORE = FIXTURES / "recurrence_before"
RECURRENCE_TABLES = ("kpis", "recurrence", "repeat-rate-by-quarter", "recurring-patterns",
                     "recurring-pattern-incidents", "deja-vu", "fix-held", "theme-incidents",
                     "similar-incidents", "themes-by-quarter", "service-category")  # fmt: skip


def _earlier(db: str, dim: str, incident: str) -> list[tuple[str, str, str, date]]:
    rows = query(
        db,
        "select unnest(earlier, recursive := true) from incident_recurrence "
        "where dim = ? and incident_id = ?",
        [dim, incident],
    )
    return [(r["kind"], r["service_basis"], r["incident_id"], r["began_at"].date()) for r in rows]


def test_each_value_keeps_the_latest_earlier_incident_of_each_kind(hand_db: str) -> None:
    # api × deploy: A 01-10, B 03-01, H 04-20, all incidents: H's earlier one is B, not A.
    assert _earlier(hand_db, "service_category", "team:H.md") == [
        ("incident", "stated", "team:B.md", date(2026, 3, 1))
    ]
    assert _earlier(hand_db, "service_category", "team:A.md") == []
    # web × config: the drill F (04-01), then I (06-01) and J (06-20). I's only earlier
    # incident is the drill, which counts only when drills are selected; J keeps the latest
    # of each kind: F and I.
    assert _earlier(hand_db, "service_category", "team:I.md") == [
        ("drill", "stated", "team:F.md", date(2026, 4, 1))
    ]
    assert _earlier(hand_db, "service_category", "team:J.md") == [
        ("drill", "stated", "team:F.md", date(2026, 4, 1)),
        ("incident", "stated", "team:I.md", date(2026, 6, 1)),
    ]
    # By service alone, C (api, database, 11-01) follows H (api, 04-20).
    assert _earlier(hand_db, "service", "team:C.md") == [
        ("incident", "stated", "team:H.md", date(2026, 4, 20))
    ]
    # G has no date: it can be neither a repeat nor an earlier incident, so it has no row.
    assert query(hand_db, "select * from incident_recurrence where incident_id = 'wiki:G.md'") == []


def test_the_rows_are_the_dimension_values_of_every_dated_incident(hand_db: str) -> None:
    counts = query(hand_db, "select dim, count(*) as n from incident_recurrence group by dim")
    # 9 dated incidents, each with one service and one category (so one pair); no similar
    # incidents in the hand-built store.
    assert {r["dim"]: r["n"] for r in counts} == {
        "service": 9, "category": 9, "service_category": 9,
    }  # fmt: skip


def _forget_queries() -> None:
    for cached in (runner._read, runner.compose, runner.parameters):
        cached.cache_clear()


def _views() -> list[View]:
    today = date(2026, 11, 28)
    selections = [
        Filters(),
        Filters(kinds=("incident", "near_miss", "drill")),
        Filters(bases=FIRM_BASES),
        Filters(kinds=("drill", "incident"), bases=FIRM_BASES),
        Filters(start=date(2025, 1, 1), end=date(2026, 6, 30), severities=("SEV2", "SEV3")),
    ]
    views = [
        View(today=today, filters=f, dim=dim, threshold=2) for f in selections for dim in DIMENSIONS
    ]
    # The default view at the sync's window and threshold reads the patterns the sync kept.
    kept = [View(today=today, dim=dim) for dim in DIMENSIONS]
    return [*views, *kept, *(View(today=today, dim=dim, window_days=30) for dim in DIMENSIONS)]


def _tables(
    conn: duckdb.DuckDBPyConnection, window_days: int = 180, views: list[View] | None = None
) -> dict[tuple[str, View], pd.DataFrame]:
    # Déjà vu is kept for the sync's window only (test_deja_vu_for_another_window_…).
    return {
        (name, v): tables.table(conn, name, v)
        for name in RECURRENCE_TABLES
        for v in views or _views()
        if name != "deja-vu" or v.window_days == window_days
    }


@pytest.mark.parametrize("store", ["sample_db", "enriched_db"])
def test_every_recurrence_table_equals_the_one_worked_out_on_every_view(
    store: str, request: pytest.FixtureRequest
) -> None:
    db = request.getfixturevalue(store)
    conn = connect_read_only(db)
    now = _tables(conn)
    with pytest.MonkeyPatch.context() as patch:
        before = _before(conn, patch, request.getfixturevalue("tmp_path"))
    compared = 0
    for key, frame in now.items():
        pd.testing.assert_frame_equal(frame, before[key], check_dtype=False, obj=str(key))
        compared += len(frame)
    assert compared > 100  # not vacuous: the sample has repeats, patterns and déjà vu


def _before(
    conn: duckdb.DuckDBPyConnection,
    patch: pytest.MonkeyPatch,
    tmp_path: Path,
    window_days: int = 180,
    views: list[View] | None = None,
) -> dict[tuple[str, View], pd.DataFrame]:
    folder = tmp_path / "queries"
    shutil.copytree(runner.SQL_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for old in BEFORE.glob("*.sql"):
        shutil.copy(old, folder / old.name)
    patch.setattr(runner, "SQL_DIR", folder)  # the queries as they were
    _forget_queries()
    try:
        return _tables(conn, window_days, views)
    finally:
        patch.undo()
        _forget_queries()


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The benchmark's generated store, small: thousands of incidents with many values, many
    of them known only by their date (so ties in start time), tables longer than a page."""
    path = tmp_path_factory.mktemp("generated") / "store.duckdb"
    return str(bigstore.build(path, 2_000, 10_000))


def _generated_views() -> list[View]:
    today = date.today()  # the generated store's dates are relative to today
    selections = [
        Filters(),
        Filters(kinds=KINDS),
        Filters(services=(bigstore.SERVICES[0], bigstore.SERVICES[11])),
        Filters(categories=(bigstore.CATEGORIES[1],), kinds=("incident", "drill")),
        Filters(sources=("platform-git", "sre-wiki"), severities=("SEV2", "SEV3", "unrated")),
        Filters(start=today - timedelta(days=700), end=today - timedelta(days=200)),
    ]
    return [
        View(today=today, filters=f, dim=dim, threshold=threshold)
        for f in selections
        for dim in DIMENSIONS
        for threshold in (2, 3, 4)  # 3: the sync's, whose default patterns it kept
    ]


def test_every_recurrence_table_equals_the_old_one_on_a_generated_store(
    generated_db: str, tmp_path: Path
) -> None:
    # The patterns' windows, the default selection's answers kept at sync, and the tables
    # cut before their titles are joined, against the queries as they were, under filters of
    # every kind and two thresholds; with ties in start time (date-only incidents).
    conn = connect_read_only(generated_db)
    views = _generated_views()
    now = _tables(conn, views=views)
    with pytest.MonkeyPatch.context() as patch:
        before = _before(conn, patch, tmp_path, views=views)
    compared = 0
    for key, frame in now.items():
        pd.testing.assert_frame_equal(frame, before[key], check_dtype=False, obj=str(key))
        compared += len(frame)
    assert compared > 10_000  # not vacuous: thousands of repeats, patterns, déjà vu


def test_deja_vu_for_another_window_needs_a_sync_with_it(sample_db: str, tmp_path: Path) -> None:
    view = View(today=date(2026, 11, 28), window_days=30)
    with pytest.raises(StoreError, match="kept déjà vu for a window of 180 days"):
        tables.table(connect_read_only(sample_db), "deja-vu", view)
    # Synced with a 30-day window, déjà vu equals the one worked out on every view.
    db = tmp_path / "store.duckdb"
    shutil.copy(sample_db, db)
    with duckdb.connect(str(db)) as conn:
        DashboardFacts(window_days=30).run(conn, changed=True)
    conn = connect_read_only(str(db))
    now = tables.table(conn, "deja-vu", view)
    with pytest.MonkeyPatch.context() as patch:
        before = _before(conn, patch, tmp_path / "before", window_days=30)
    pd.testing.assert_frame_equal(now, before[("deja-vu", view)], check_dtype=False)
    assert len(now) > 0


def test_the_default_view_reads_the_patterns_the_sync_kept(generated_db: str) -> None:
    # The tables above compare these views with the queries as they were; this says they did
    # take the kept rows: the default selection, no other filter, the sync's window (180
    # days) and threshold (3). Another threshold, a period or drills work it out.
    conn = connect_read_only(generated_db)
    assert recurrence._kept_patterns(conn, Filters(), 180, 3)
    assert not recurrence._kept_patterns(conn, Filters(), 180, 2)
    assert not recurrence._kept_patterns(conn, Filters(), 30, 3)
    assert not recurrence._kept_patterns(conn, Filters(start=date(2025, 1, 1)), 180, 3)
    assert not recurrence._kept_patterns(conn, Filters(kinds=KINDS), 180, 3)
    assert not recurrence._kept_patterns(conn, Filters(sources=("sre-wiki",)), 180, 3)
    kept = query(
        generated_db,
        "select count(*) as n from incident_recurrence where default_pattern_window is not null",
    )
    assert kept[0]["n"] > 1_000  # not vacuous: thousands of rows in default patterns
