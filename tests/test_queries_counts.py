"""Incident counts, the global filters, and the Overview's KPIs on the hand-built store.

See tests/hand_store.py. Default filters select A B C D E G H I J: F is a drill, and G (no
kind stated) counts as an incident. G has no date, so it is on no time axis.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from loaders.store import connect_read_only
from queries import incidents, overview
from queries.filters import Filters

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def conn(hand_db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(hand_db)


def ids(conn: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    return sorted(incidents.table(conn, filters)["incident_id"].str.split(":").str[1].str[0])


@pytest.mark.parametrize(
    ("filters", "expected", "why"),
    [
        (Filters(), "ABCDEGHIJ", "drills out by default; a kind-less document is an incident"),
        (Filters(kinds=("incident", "drill")), "ABCDEFGHIJ", "drills chosen"),
        (Filters(kinds=("drill",)), "F", "only drills"),
        (Filters(severities=("SEV2",)), "BD", "two SEV2 incidents"),
        (Filters(severities=("unrated",)), "E", "E states no severity"),
        (Filters(services=("db",)), "DE", "the db incidents"),
        (Filters(categories=("deploy", "config")), "ABHIJ", "either category"),
        (Filters(sources=("wiki",)), "EG", "the second source"),
        (Filters(start=date(2026, 3, 1), end=date(2026, 6, 30)), "BDEHIJ", "G has no date"),
        (Filters(start=date(2026, 6, 1)), "CIJ", "an open end"),
        (Filters(services=("api",), severities=("SEV3",)), "CH", "filters combine with and"),
    ],
)
def test_filters_select(
    conn: duckdb.DuckDBPyConnection, filters: Filters, expected: str, why: str
) -> None:
    assert "".join(ids(conn, filters)) == expected, why


def test_incidents_by_month_and_severity(conn: duckdb.DuckDBPyConnection) -> None:
    frame = incidents.over_time(conn, Filters(), by="severity", period="month")
    assert list(frame.columns) == ["period", "period_start", "severity", "incidents"]
    rows = [tuple(r) for r in frame[["period", "severity", "incidents"]].values]
    # Jan A (SEV1); Mar B, D (SEV2); Apr H (SEV3); May E (unrated); Jun I, J (SEV3); Nov C.
    assert rows == [
        ("2026-01", "SEV1", 1),
        ("2026-03", "SEV2", 2),
        ("2026-04", "SEV3", 1),
        ("2026-05", "unrated", 1),
        ("2026-06", "SEV3", 2),
        ("2026-11", "SEV3", 1),
    ]


def test_incidents_by_quarter_service_category_and_source(conn: duckdb.DuckDBPyConnection) -> None:
    by_service = incidents.over_time(conn, Filters(), by="service", period="quarter")
    cells = {(r.period, r.service): r.incidents for r in by_service.itertuples()}
    # Q1: A, B (api), D (db); Q2: H (api), E (db), I, J (web); Q4: C (api).
    assert cells == {
        ("2026Q1", "api"): 2, ("2026Q1", "db"): 1, ("2026Q2", "api"): 1,
        ("2026Q2", "db"): 1, ("2026Q2", "web"): 2, ("2026Q4", "api"): 1,
    }  # fmt: skip
    by_category = incidents.over_time(conn, Filters(), by="category", period="quarter")
    assert by_category.groupby("category")["incidents"].sum().to_dict() == {
        "config": 2, "database": 3, "deploy": 3,
    }  # fmt: skip
    by_source = incidents.over_time(conn, Filters(), by="source", period="quarter")
    # wiki: E (Q2); G has no date. team: the other 7 dated incidents.
    assert by_source.groupby("source")["incidents"].sum().to_dict() == {"team": 7, "wiki": 1}


def test_top_services_and_categories(conn: duckdb.DuckDBPyConnection) -> None:
    services = incidents.top(conn, Filters(), by="service")
    assert services[["service", "incidents"]].values.tolist() == [["api", 4], ["db", 2], ["web", 2]]
    assert services["share_of_incidents"].iloc[0] == pytest.approx(4 / 9)
    categories = incidents.top(conn, Filters(), by="category", limit=1)
    # deploy (A B H) and database (C D E) tie at 3; ties go by name.
    assert categories[["category", "incidents"]].values.tolist() == [["database", 3]]


def test_totals_and_latest(conn: duckdb.DuckDBPyConnection) -> None:
    totals = incidents.totals(conn, Filters()).iloc[0]
    # SEV1–2: A (SEV1), B and D (SEV2).
    assert (totals["incidents"], totals["sev1_2"], totals["undated"]) == (9, 3, 1)
    latest = incidents.latest(conn, Filters(), limit=3)
    assert latest["incident_id"].tolist() == ["team:C.md", "team:J.md", "team:I.md"]


def test_incident_table_counts_action_items_by_status(conn: duckdb.DuckDBPyConnection) -> None:
    table = incidents.table(conn, Filters()).set_index("incident_id")
    assert table.loc["team:A.md", ["action_items", "done", "open", "unknown"]].tolist() == [
        2,
        1,
        1,
        0,
    ]
    assert table.loc["team:B.md", ["action_items", "done", "unknown"]].tolist() == [2, 1, 1]
    assert table.loc["wiki:G.md", "kind"] == "incident"  # not stated: counted as an incident
    assert table.loc["team:A.md", "url"] == "https://example.com/pm/A"


def test_kpis_against_the_previous_period(conn: duckdb.DuckDBPyConnection) -> None:
    q2 = Filters(start=date(2026, 4, 1), end=date(2026, 6, 30))
    frame = overview.kpis(conn, q2, dim="service", window_days=180, today=TODAY)
    rows = frame.set_index("metric")
    # Previous period: the 91 days before 04-01, i.e. 2025-12-31 to 2026-03-31 (A, B, D).
    assert rows["previous_period"].iloc[0] == "2025-12-31 to 2026-03-31"
    assert rows.loc["Incidents", ["value", "previous", "change"]].tolist() == [4, 3, 1]
    assert rows.loc["SEV1–2 incidents", ["value", "previous"]].tolist() == [0, 3]
    # Repeats by service: Q2 H, E, J of 4; Q1 B of 3.
    assert rows.loc["Repeat rate", "value"] == pytest.approx(3 / 4)
    assert rows.loc["Repeat rate", "previous"] == pytest.approx(1 / 3)
    # Items of Q2 incidents: I1 done, J1 open → 1/2. Of Q1 incidents: A1, B2 done; A2 open;
    # D1 in progress; B1 unknown → 2/4.
    assert rows.loc["Closure rate", ["value", "previous"]].tolist() == [0.5, 0.5]
    # Overdue on 06-30 among Q2 items: none (J1 due 12-31). On 03-31 among Q1 items: A2.
    assert rows.loc["Overdue action items", ["value", "previous"]].tolist() == [0, 1]
    # The previous period starts before the first post-mortem (A, 2026-01-10).
    assert rows["note"].iloc[0] == "the previous period starts before the first post-mortem"


def test_kpis_without_a_date_range_have_no_previous_period(conn: duckdb.DuckDBPyConnection) -> None:
    frame = overview.kpis(conn, Filters(), dim="service", window_days=180, today=TODAY)
    rows = frame.set_index("metric")
    # From the first post-mortem (01-10) to today; nothing is older than that.
    assert rows["period"].iloc[0] == "2026-01-10 to 2026-11-27"
    assert rows.loc["Incidents", "value"] == 9  # G, undated, is in: no date bound is set
    assert rows["previous"].isna().all()
    # Overdue today (11-27): A2 (due 03-01) and D1 (due 04-01); J1 is due 12-31.
    assert rows.loc["Overdue action items", "value"] == 2
