"""The benchmark's big-store builder (bench/bigstore.py) at a small size: the rows it was asked
for, in the store's own schema, consistent with each other, the same on every build, and
readable by the dashboard's queries."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from bench import bigstore
from loaders import store
from queries import tables

INCIDENTS, ITEMS = 2_000, 10_000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bigstore.build(tmp_path_factory.mktemp("bench") / "big.duckdb", INCIDENTS, ITEMS)


def scalar(db: Path, sql: str) -> object:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()[0][0]


def columns(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    return {
        table: [(c, t) for c, t, *_ in conn.execute(f"describe {table}").fetchall()]
        for table in store.TABLES
    }


def test_the_requested_rows_in_every_table(big: Path) -> None:
    counts = bigstore.row_counts(big)
    assert (counts["incidents"], counts["action_items"]) == (INCIDENTS, ITEMS)
    assert all(counts[t] > 0 for t in store.TABLES), counts  # every table has rows


def test_the_schema_is_the_stores(big: Path, tmp_path: Path) -> None:
    with store.writer(str(tmp_path / "empty.duckdb")) as conn:
        expected = columns(conn)
    with duckdb.connect(str(big), read_only=True) as conn:
        assert columns(conn) == expected


def test_rows_are_consistent(big: Path) -> None:
    orphans = """
        select count(*) from (
            select incident_id from action_items
            union all select incident_id from incident_services
            union all select incident_id from incident_categories
            union all select incident_id from incident_tags
        ) c anti join incidents i using (incident_id)"""
    assert scalar(big, orphans) == 0
    assert scalar(big, "select count(distinct action_item_id) from action_items") == ITEMS
    # Positions run 1..n within each post-mortem, as the loaders number them.
    assert scalar(big, "select bool_and(max_position = items) from (select max(position) as "
                       "max_position, count(*) as items from action_items group by incident_id)")  # fmt: skip
    first, last = scalar(big, "select [min(incident_date), max(incident_date)] from incidents")  # type: ignore[misc]
    assert date.today() - timedelta(days=bigstore.YEARS * 365) <= first <= last <= date.today()
    statuses = scalar(big, "select list(distinct status order by status) from action_items")
    assert statuses == ["done", "in_progress", "open", "unknown", "wont_do"]


def test_the_same_store_on_every_build(big: Path, tmp_path: Path) -> None:
    again = bigstore.build(tmp_path / "again.duckdb", INCIDENTS, ITEMS)
    for table in ("incidents", "incident_services", "incident_categories", "action_items"):
        selected = "* exclude (loaded_at)" if table == "incidents" else "*"
        # Every row as text (the load time left out), in a fixed order.
        sql = (
            "select md5(string_agg(r::varchar, '' order by r::varchar)) "
            f"from (select {selected} from {table}) r"
        )
        assert scalar(big, sql) == scalar(again, sql), table


def test_the_dashboard_reads_it(big: Path) -> None:
    conn = store.connect_read_only(str(big))
    view = tables.View(today=date.today())
    kpis = tables.table(conn, "kpis", view)
    incidents = scalar(
        big, "select count(*) from incidents where coalesce(kind, 'incident') = 'incident'"
    )
    assert kpis.loc[kpis["metric"] == "Incidents", "value"].iloc[0] == incidents
    assert len(tables.table(conn, "incidents", view)) == incidents
    assert not tables.table(conn, "recurring-patterns", view).empty  # recurrence has work to do


def test_p7_counts_tracker_requests() -> None:
    from bench.tracker_requests import github_requests, jira_requests

    # 250 tickets: three look-ups of at most 100 on the first sync; on the unchanged re-sync one
    # "what changed since?" request (four repositories or projects fit in one).
    assert github_requests(250) == (3, 1)
    assert jira_requests(250) == (3, 1)
