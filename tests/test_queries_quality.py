"""Completeness, durations, field coverage, sync state, and one incident's detail, on the
hand-built store (tests/hand_store.py)."""

from __future__ import annotations

import duckdb
import pytest

from loaders.store import connect_read_only
from queries import incidents, quality
from queries.filters import Filters


@pytest.fixture(scope="module")
def conn(hand_db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(hand_db)


def test_completeness_share_per_section(conn: duckdb.DuckDBPyConnection) -> None:
    frame = quality.completeness_by_section(conn, Filters())
    assert frame["section"].tolist() == [
        "summary", "timeline", "contributing_factors", "root_cause", "impact", "action_items",
    ]  # fmt: skip
    # Of the 9 selected documents: every one has a summary; timeline A B D H I; contributing
    # factors A D I; root cause A B D I; impact A D H I; action items A B C D H I J.
    assert frame["documents_with"].tolist() == [9, 5, 3, 4, 4, 7]
    assert frame["share"].tolist() == pytest.approx([9 / 9, 5 / 9, 3 / 9, 4 / 9, 4 / 9, 7 / 9])


def test_completeness_per_document_lists_missing_sections(conn: duckdb.DuckDBPyConnection) -> None:
    frame = quality.completeness_by_document(conn, Filters()).set_index("incident_id")
    assert frame.loc["team:B.md", "sections_present"] == 4
    assert frame.loc["team:B.md", "sections_missing"] == "contributing_factors; impact"
    assert frame.loc["team:A.md", "sections_missing"] == ""


def test_durations_are_median_p90_and_n_never_a_mean(conn: duckdb.DuckDBPyConnection) -> None:
    frame = quality.durations(conn, Filters(), by="severity")
    assert list(frame.columns) == [
        "measure", "group", "n", "median_minutes", "p90_minutes", "small_n",
    ]  # fmt: skip
    rows = {
        (r.measure, r.group): (r.n, r.median_minutes, r.p90_minutes) for r in frame.itertuples()
    }
    # SEV3 time to detect: H 20, I 4, J 6, C 8 → sorted 4 6 8 20: median (6 + 8) / 2 = 7;
    # p90 at position 0.9 × 3 = 2.7 → 8 + 0.7 × (20 − 8) = 16.4.
    assert rows["time_to_detect", "SEV3"] == (4, 7, pytest.approx(16.4))
    # SEV2 time to recover: B 30, D 240 → median 135; p90 at 0.9 → 30 + 0.9 × 210 = 219.
    assert rows["time_to_recover", "SEV2"] == (2, 135, pytest.approx(219))
    # SEV3 time to recover: I 45, J 90, H 120 → median 90; p90 at 1.8 → 90 + 0.8 × 30 = 114.
    assert rows["time_to_recover", "SEV3"] == (3, 90, pytest.approx(114))
    # E states only a recovery time and no severity.
    assert rows["time_to_recover", "unrated"] == (1, 15, 15)
    assert ("time_to_detect", "unrated") not in rows
    # Every group here has fewer than 5 incidents.
    assert frame["small_n"].all()


def test_durations_by_service(conn: duckdb.DuckDBPyConnection) -> None:
    frame = quality.durations(conn, Filters(), by="service")
    rows = {(r.measure, r.group): r.n for r in frame.itertuples()}
    # Recovery stated for api: A, B, H (C states none); db: D, E; web: I, J.
    assert {k: v for k, v in rows.items() if k[0] == "time_to_recover"} == {
        ("time_to_recover", "api"): 3, ("time_to_recover", "db"): 2, ("time_to_recover", "web"): 2,
    }  # fmt: skip


def test_field_coverage_by_source(conn: duckdb.DuckDBPyConnection) -> None:
    frame = quality.field_coverage(conn, Filters()).set_index("source")
    # team: A B C D H I J all state date, severity, service, category.
    assert frame.loc["team"].tolist() == [7, 1, 1, 1, 1]
    # wiki: E (date, no severity, db, database) and G (no date, SEV4, nothing else).
    assert frame.loc["wiki"].tolist() == [2, 0.5, 0.5, 0.5, 0.5]


def test_last_sync_and_its_problems(conn: duckdb.DuckDBPyConnection) -> None:
    status = quality.sync_status(conn).set_index("source")
    assert status.loc["wiki", "status"] == "partial"
    assert status.loc["team", "incidents_stored"] == 8  # A B C D F H I J, drill included
    errors = quality.load_errors(conn, Filters())
    # Errors first, then warnings.
    assert errors[["source", "document", "severity"]].values.tolist() == [
        ["wiki", "page-9", "error"],
        ["team", "README.md", "warning"],
    ]
    assert len(quality.load_errors(conn, Filters(sources=("team",)))) == 1


def test_incident_detail_fields_with_provenance(conn: duckdb.DuckDBPyConnection) -> None:
    detail = incidents.detail(conn, "team:A.md")
    fields = incidents.fields_with_provenance(detail).set_index("field")
    assert fields.loc["incident_date", ["value", "found_in"]].tolist() == [
        "2026-01-10",
        "front matter",
    ]
    assert fields.loc["services", "value"] == "api"
    assert fields.loc["time_to_recover_minutes", "value"] == "60"
    assert fields.loc["summary", "found_in"] == ""  # nothing stated, no provenance
    assert incidents.action_items(conn, "team:A.md")["title"].tolist() == [
        "Add a canary stage to the deploy pipeline",
        "Roll back automatically when the 5xx ratio exceeds 2%",
    ]
    assert incidents.detail(conn, "team:nope.md").empty


def test_related_incidents_share_a_service_or_category_within_the_window(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    related = incidents.related(conn, "team:H.md", window_days=180, filters=Filters())
    # H (api, deploy, 04-20): A 100 days before, B 50 before (both api/deploy), C 195 after
    # (api, outside 180 days). Nearest first.
    assert related[["incident_id", "days_after"]].values.tolist() == [
        ["team:B.md", -50],
        ["team:A.md", -100],
    ]
    assert related["shared"].iloc[0] == "category: deploy, service: api"
