"""The `similar` repeat dimension (SPEC §6) through every metric that takes a dimension, and
the reads of similar incidents and themes, on the hand-built store plus explicit pairs.

tests/hand_store.py describes the incidents (dates below are 2026). Pairs added here:

    A ~ H, B ~ H      group "Incident A" (A 01-10, B 03-01, H 04-20; A and B are NOT similar)
    D ~ E             group "Incident D" (D 03-15, E 05-01)

C, I, J and G have no similar incident; F is a drill (out by default). Default filters
select A B C D E G H I J.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import hand_store
import pytest
from click.testing import CliRunner

from cli import main
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.store import connect_read_only
from queries import overview, quarterly, recurrence, similar
from queries.filters import Filters

ALL = Filters()
PAIRS = [
    ("team:A.md", "team:H.md", 0.61, ["deploy", "rollback"], "Incident A"),
    ("team:B.md", "team:H.md", 0.72, ["deploy", "canary"], "Incident A"),
    ("team:D.md", "wiki:E.md", 0.55, ["index", "orders"], "Incident D"),
]
THEMES = [(1, "deploy, rollback, canary", ["deploy", "rollback", "canary"], 3)]
THEME_MEMBERS = [("team:A.md", 1, 0.9), ("team:B.md", 1, 0.8), ("team:H.md", 1, 0.7)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = hand_store.build(tmp_path_factory.mktemp("similar") / "store.duckdb")
    with duckdb.connect(path) as conn:
        for a, b, score, terms, group in PAIRS:  # both orders, as the sync step writes them
            conn.execute(
                "insert into similar_incidents values (?, ?, ?, ?, ?)", [a, b, score, terms, group]
            )
            conn.execute(
                "insert into similar_incidents values (?, ?, ?, ?, ?)", [b, a, score, terms, group]
            )
        conn.executemany("insert into themes values (?, ?, ?, ?)", THEMES)
        conn.executemany("insert into incident_themes values (?, ?, ?)", THEME_MEMBERS)
        DashboardFacts().run(conn, changed=True)  # the last step of a sync, as after any step
    return path


@pytest.fixture(scope="module")
def conn(db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(db)


def test_a_repeat_needs_an_earlier_incident_similar_to_it_itself(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    summary = recurrence.repeat_summary(conn, ALL, dim="similar", window_days=180).iloc[0]
    # H: similar to A (100 days before) and B (50 days before): repeat. B: in H's group, but
    # similar to nothing earlier (A and B are not a pair): not a repeat, although A began
    # 50 days before it in the same group. E: similar to D, 47 days before: repeat.
    assert (summary["incidents"], summary["repeats"]) == (9, 2)
    assert summary["repeat_rate"] == pytest.approx(2 / 9)
    # C, G, I and J are similar to nothing: they can never repeat.
    assert summary["without_value"] == 4


def test_the_window_applies_to_similar_incidents(conn: duckdb.DuckDBPyConnection) -> None:
    # Within 49 days: H's nearest similar predecessor B is 50 days back, E's D is 47: E only.
    assert (
        recurrence.repeat_summary(conn, ALL, dim="similar", window_days=49).iloc[0]["repeats"] == 1
    )
    assert (
        recurrence.repeat_summary(conn, ALL, dim="similar", window_days=46).iloc[0]["repeats"] == 0
    )


def test_repeat_rate_by_quarter_and_by_group(conn: duckdb.DuckDBPyConnection) -> None:
    by_quarter = recurrence.repeat_rate_by_quarter(conn, ALL, dim="similar", window_days=180)
    # Q1: A B D, no repeat; Q2: H E I J, repeats H and E; Q4: C. G has no date.
    assert by_quarter[["quarter", "incidents", "repeats"]].values.tolist() == [
        ["2026Q1", 3, 0], ["2026Q2", 4, 2], ["2026Q4", 1, 0],
    ]  # fmt: skip
    by_group = recurrence.repeat_rate_by_value(conn, ALL, dim="similar", window_days=180)
    rows = {r["similar"]: (r["incidents"], r["repeats"]) for r in by_group.to_dict("records")}
    # Group "Incident A": A B H, one repeat (H); group "Incident D": D E, one repeat (E).
    assert rows == {"Incident A": (3, 1), "Incident D": (2, 1)}


def test_a_group_is_a_recurring_pattern(conn: duckdb.DuckDBPyConnection) -> None:
    found = recurrence.patterns(conn, ALL, dim="similar", window_days=180, threshold=3)
    # A, B, H within 100 days: three in one window. D, E: only two.
    assert found[["similar", "incidents"]].values.tolist() == [["Incident A", 3]]
    members = recurrence.pattern_incidents(conn, ALL, dim="similar", window_days=180, threshold=3)
    assert sorted(members["incident_id"]) == ["team:A.md", "team:B.md", "team:H.md"]


def test_deja_vu_through_similar_incidents(conn: duckdb.DuckDBPyConnection) -> None:
    found = recurrence.deja_vu(conn, ALL, dim="similar", window_days=180)
    rows = {r.incident_id: r for r in found.itertuples()}
    # H began 04-20 while A2 (open) and B2 (done only 04-25) were pending; A stays pending
    # longest. E began while D1 was in progress. B is not a repeat, so not déjà vu.
    assert {i: r.earlier_incident_id for i, r in rows.items()} == {
        "team:H.md": "team:A.md", "wiki:E.md": "team:D.md",
    }  # fmt: skip
    assert rows["team:H.md"].items_not_done_titles == (
        "Roll back automatically when the 5xx ratio exceeds 2%"
    )


def test_the_kpi_tile_and_the_quarterly_pack(conn: duckdb.DuckDBPyConnection) -> None:
    # The tile over the year: 2 repeats of 9 incidents... the selection has dates, so G is out.
    year = Filters(start=date(2026, 1, 1), end=date(2026, 12, 31))
    tiles = overview.kpis(conn, year, dim="similar", window_days=180, today=date(2026, 12, 31))
    rate = tiles.set_index("metric").loc["Repeat rate", "value"]
    assert rate == pytest.approx(2 / 8)  # H and E of A B C D E H I J
    review = quarterly.review(conn, ALL, quarterly.Quarter(2026, 2), dim="similar",
                              window_days=180, threshold=2)  # fmt: skip
    comparison = review.comparison.set_index("metric")
    # 2026Q2: H E I J, repeats H and E.
    assert comparison.loc["Repeat rate", "quarter"] == pytest.approx(2 / 4)
    # Threshold 2: both groups are patterns with incidents in Q2 (H; E).
    assert sorted(review.patterns["similar"]) == ["Incident A", "Incident D"]


def test_export_takes_the_similar_dimension(db: str, tmp_path: Path) -> None:
    out = tmp_path / "recurrence.csv"
    result = CliRunner().invoke(main, ["export", "recurrence", "--out", str(out), "--db", db,
                                       "--dim", "similar"])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("similar,")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["Incident A", "Incident D"]


def test_groups_newest_first_with_their_shared_terms(conn: duckdb.DuckDBPyConnection) -> None:
    found = similar.groups(conn, ALL)
    # Group A's newest incident is H (04-20), group D's is E (05-01): D first.
    assert found[["group", "incident_id", "similar_to"]].values.tolist() == [
        ["Incident D", "wiki:E.md", 1], ["Incident D", "team:D.md", 1],
        ["Incident A", "team:H.md", 2], ["Incident A", "team:B.md", 1],
        ["Incident A", "team:A.md", 1],
    ]  # fmt: skip
    # "deploy" is in both of group A's pairs, so it comes first; then by the word.
    assert (
        found.set_index("incident_id").loc["team:H.md", "shared_terms"]
        == "deploy, canary, rollback"
    )


def test_a_filter_keeps_only_pairs_inside_the_selection(conn: duckdb.DuckDBPyConnection) -> None:
    # Without SEV1 (A), group A keeps B and H (still similar to each other).
    found = similar.groups(conn, Filters(severities=("SEV2", "SEV3", "unrated")))
    assert sorted(found["incident_id"]) == ["team:B.md", "team:D.md", "team:H.md", "wiki:E.md"]


def test_seen_before_lists_the_similar_incidents_most_similar_first(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    found = similar.seen_before(conn, "team:H.md", filters=ALL)
    # B (0.72, 50 days before H), then A (0.61, 100 days before).
    assert found[["incident_id", "similarity", "days_after"]].values.tolist() == [
        ["team:B.md", 0.72, -50], ["team:A.md", 0.61, -100],
    ]  # fmt: skip
    assert found.iloc[0]["shared_terms"] == "deploy, canary"


def test_themes_over_time_and_their_incidents(conn: duckdb.DuckDBPyConnection) -> None:
    by_quarter = similar.themes_by_quarter(conn, ALL)
    # A and B in Q1, H in Q2.
    assert by_quarter.values.tolist() == [
        ["2026Q1", "deploy, rollback, canary", 2], ["2026Q2", "deploy, rollback, canary", 1],
    ]  # fmt: skip
    members = similar.theme_incidents(conn, ALL)
    assert members["incident_id"].tolist() == [
        "team:H.md",
        "team:B.md",
        "team:A.md",
    ]  # newest first
