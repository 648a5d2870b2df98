"""The quarterly review pack: the numbers of the hand-built store's 2026Q2 worked out by hand,
explicit lines for empty sections, escaped document text, `pmdash report`, and the same
numbers as the Quarterly review page."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from cli import main
from loaders import store
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import PostMortem
from loaders.store import connect_read_only
from queries import quarterly, report, tables
from queries.export import neutralise
from queries.filters import Filters

REPO = Path(__file__).resolve().parents[1]
SETTINGS = {"dim": "service", "window_days": 180, "threshold": 3}


@pytest.fixture(scope="module")
def conn(hand_db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(hand_db)


def test_quarters() -> None:
    q = quarterly.Quarter.parse("2025q4")
    assert (str(q), q.start, q.end) == ("2025Q4", date(2025, 10, 1), date(2025, 12, 31))
    assert (str(q.next()), str(q.previous())) == ("2026Q1", "2025Q3")
    assert str(quarterly.Quarter.parse("2026Q1").previous()) == "2025Q4"
    assert str(quarterly.latest_complete_quarter(date(2026, 11, 27))) == "2026Q3"
    with pytest.raises(ValueError, match="like 2025Q3"):
        quarterly.Quarter.parse("2025Q5")


def test_quarter_against_previous_quarter(conn: duckdb.DuckDBPyConnection) -> None:
    review = quarterly.review(conn, Filters(), quarterly.Quarter(2026, 2), **SETTINGS)  # type: ignore[arg-type]
    rows = review.comparison.set_index("metric")
    # Q2: H, E, I, J (F is a drill). Q1: A, B, D.
    assert rows.loc["Incidents", ["quarter", "previous_quarter", "change"]].tolist() == [4, 3, 1]
    assert rows.loc["SEV1–2 incidents", ["quarter", "previous_quarter"]].tolist() == [0, 3]
    # Repeats by service: Q2 H, E, J of 4; Q1 B of 3.
    assert rows.loc["Repeat rate", "quarter"] == pytest.approx(3 / 4)
    assert rows.loc["Repeat rate", "previous_quarter"] == pytest.approx(1 / 3)
    # Opened in Q2: I1 (created 06-03) and J1 (J, 06-20). Opened in Q1: A1 A2 B1 B2 D1.
    assert rows.loc["Action items opened", ["quarter", "previous_quarter"]].tolist() == [2, 5]
    # Closed in Q2: B2 (04-25), I1 (06-10). In Q1: A1 (01-25).
    assert rows.loc["Action items closed", ["quarter", "previous_quarter"]].tolist() == [2, 1]
    # Overdue on 06-30: A2, D1. On 03-31: A2 (D1 and B2 are due 04-01).
    assert rows.loc[
        "Action items overdue at quarter end", ["quarter", "previous_quarter"]
    ].tolist() == [2, 1]
    owners = review.items_by_owner.set_index("owner")
    assert owners.to_dict("index") == {
        "erin": {"opened": 2, "closed": 1, "overdue": 0},
        "bob": {"opened": 0, "closed": 0, "overdue": 1},
        "carol": {"opened": 0, "closed": 1, "overdue": 0},
        "dave": {"opened": 0, "closed": 0, "overdue": 1},
    }
    # The api pattern (A, B, H) is active: H struck in Q2.
    assert review.patterns["service"].tolist() == ["api"]


def test_the_page_reads_the_first_pattern_incidents_and_the_pack_all_of_them(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    full = quarterly.review(conn, Filters(), quarterly.Quarter(2026, 2), **SETTINGS)  # type: ignore[arg-type]
    # The api pattern's incidents A, B and H; the page asks for the first two only.
    assert len(full.pattern_incidents) == 3
    cut = quarterly.review(
        conn,
        Filters(),
        quarterly.Quarter(2026, 2),
        **SETTINGS,
        pattern_rows=2,  # type: ignore[arg-type]
    )
    assert cut.pattern_incidents.equals(full.pattern_incidents.head(2))
    assert tables.rows_in_all(cut.pattern_incidents) == 3
    # What the pack and the CSV are made from on a click: every incident again.
    whole = quarterly.complete(conn, cut)
    assert whole.pattern_incidents.equals(full.pattern_incidents)
    assert whole.tables["recurring_pattern_incidents"] is whole.pattern_incidents
    assert report.markdown(whole) == report.markdown(full)
    assert quarterly.complete(conn, full) is full  # nothing left to read


def test_the_report_reads_as_a_review(conn: duckdb.DuckDBPyConnection) -> None:
    text = report.markdown(
        quarterly.review(conn, Filters(), quarterly.Quarter(2026, 2), **SETTINGS)
    )  # type: ignore[arg-type]
    lines = text.splitlines()
    assert lines[0] == "# Reliability review 2026Q2"
    assert "| Incidents | 4 | 3 | +1 |" in lines
    assert "| Repeat rate | 75% | 33% | +42 points |" in lines
    assert "| Action items overdue at quarter end | 2 | 1 | +1 |" in lines
    assert "No SEV1–2 incidents this quarter." in lines
    assert "- **api**: 3 incidents from 2026-01-10 to 2026-04-20, at most 3 in one window" in lines
    assert (
        "  - 2026-04-20 SEV3: [Incident H](<https://example.com/pm/H>) (0 of 0 action items done)"
        in lines
    )
    assert "| erin | 2 | 1 | 0 |" in lines


def test_an_empty_quarter_says_so_in_every_section(conn: duckdb.DuckDBPyConnection) -> None:
    text = report.markdown(
        quarterly.review(conn, Filters(), quarterly.Quarter(2026, 3), **SETTINGS)
    )  # type: ignore[arg-type]
    assert "No incidents this quarter." in text
    assert "No SEV1–2 incidents this quarter." in text
    assert "No recurring patterns: no service had 3 or more incidents within 180 days" in text
    quiet = quarterly.review(
        conn, Filters(sources=("wiki",)), quarterly.Quarter(2026, 3), **SETTINGS
    )  # type: ignore[arg-type]
    assert "No action items were opened, closed or overdue this quarter." in report.markdown(quiet)


def test_document_text_stays_text_and_only_web_links_are_links(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    records = [
        PostMortem("docs", "git", "a.md", title="[click me](javascript:alert(1)) <b>x</b> *y*",
                   source_url="javascript:alert(1)", incident_date=date(2026, 5, 1),
                   severity="SEV1", severity_rank=1, kind="incident", content_hash="a"),
        PostMortem("docs", "git", "b.md", title="Plain", source_url="https://example.com/b",
                   incident_date=date(2026, 5, 2), severity="SEV2", severity_rank=2,
                   kind="incident", content_hash="b"),
    ]  # fmt: skip
    with store.writer(db) as c:
        store.insert_postmortems(c, records, datetime(2026, 5, 3))
        DashboardFacts().run(c, changed=True)  # the last step of a sync
    review = quarterly.review(
        connect_read_only(db), Filters(), quarterly.Quarter(2026, 2), **SETTINGS
    )  # type: ignore[arg-type]
    text = report.markdown(review)
    assert r"\[click me\](javascript:alert(1)) \<b\>x\</b\> \*y\*" in text
    assert not re.search(r"(?<!\\)\]\(javascript", text), "no unescaped link to javascript:"
    assert "<b>" not in text
    assert "[Plain](<https://example.com/b>)" in text


def test_pmdash_report_writes_the_pack(
    hand_db: str, tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    out = tmp_path / "pack"
    result = CliRunner().invoke(
        main,
        ["report", "--quarter", "2026Q2", "--out", str(out), "--db", hand_db, "--dim", "service"],
    )
    assert result.exit_code == 0, result.output
    review = quarterly.review(conn, Filters(), quarterly.Quarter(2026, 2), **SETTINGS)  # type: ignore[arg-type]
    assert (out / "reliability-review-2026Q2.md").read_text() == report.markdown(review)
    archive = zipfile.ZipFile(out / "reliability-review-2026Q2-csv.zip")
    assert archive.namelist() == [
        "comparison.csv", "sev1_2_incidents.csv", "recurring_patterns.csv",
        "recurring_pattern_incidents.csv", "action_items_by_owner.csv",
    ]  # fmt: skip
    comparison = list(csv.DictReader(io.StringIO(archive.read("comparison.csv").decode())))
    assert comparison[0] == {
        "metric": "Incidents",
        "quarter": "4",
        "previous_quarter": "3",
        "change": "1",
    }
    bad = CliRunner().invoke(
        main, ["report", "--quarter", "Q3-2025", "--out", str(out), "--db", hand_db]
    )
    assert bad.exit_code == 2 and "write it like 2025Q3" in bad.stderr


def test_the_report_matches_the_quarterly_review_page(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", sample_db)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/quarterly_review.py")
    at.query_params["quarter"] = "2026Q3"
    at.run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}

    result = CliRunner().invoke(
        main, ["report", "--quarter", "2026Q3", "--out", str(tmp_path), "--db", sample_db]
    )
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(tmp_path / "reliability-review-2026Q3-csv.zip")
    rows = list(csv.DictReader(io.StringIO(archive.read("comparison.csv").decode())))
    markdown = (tmp_path / "reliability-review-2026Q3.md").read_text()
    assert len(rows) == len(shown) == 7
    for row in rows:
        written = report.format_value(
            row["metric"], float(row["quarter"]) if row["quarter"] else None
        )
        assert shown[row["metric"]] == written
        assert f"| {row['metric']} | {written} |" in markdown
    owners = list(csv.DictReader(io.StringIO(archive.read("action_items_by_owner.csv").decode())))
    page_owners = next(d.value for d in at.dataframe if "opened" in d.value.columns)
    # The CSV neutralises owners written as @handle (a leading @ starts a formula).
    assert [r["owner"] for r in owners] == [neutralise(o) for o in page_owners["owner"]]
    assert [int(r["overdue"]) for r in owners] == page_owners["overdue"].tolist()
