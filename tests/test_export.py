"""CSV export: safe cells, stable columns, `pmdash export` with the dashboard's filters, and
the same rows as the page shows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from cli import main
from loaders import store
from loaders.model import PostMortem
from loaders.store import connect_read_only
from queries.export import csv_frame, neutralise, to_csv_bytes
from queries.tables import TABLES, View, table

REPO = Path(__file__).resolve().parents[1]


def export(db: str, name: str, out: Path, *options: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["export", name, "--out", str(out), "--db", db, *options])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain = text", "plain = text"),  # only the first character matters
        (-5, -5),  # numbers are numbers, not text
    ],
)
def test_formula_cells_are_neutralised(cell: object, written: object) -> None:
    assert neutralise(cell) == written


def test_dates_are_iso_and_whole_numbers_stay_whole() -> None:
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-01-10", None]),
            "moment": pd.to_datetime(["2026-01-10 09:30", "2026-01-11 00:00"]),
            "mixed": pd.Series([17, 0.5], dtype=object),
            "text": ["=1+1", None],
        }
    )
    text = to_csv_bytes(frame).decode()
    assert text.splitlines() == [
        "day,moment,mixed,text",
        "2026-01-10,2026-01-10 09:30:00,17,'=1+1",
        ",2026-01-11 00:00:00,0.5,",
    ]
    assert list(csv_frame(frame).columns) == list(frame.columns)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_exports_with_the_columns_the_query_gives(
    hand_db: str, tmp_path: Path, name: str
) -> None:
    rows = export(hand_db, name, tmp_path / f"{name}.csv", "--as-of", "2026-06-30")
    expected = table(
        connect_read_only(hand_db),
        name,
        View(today=date.today(), as_of=date(2026, 6, 30)),
    )
    header = (tmp_path / f"{name}.csv").read_text().splitlines()[0].split(",")
    assert header == list(expected.columns)
    assert len(rows) == len(expected)


def test_export_filters_like_the_sidebar(hand_db: str, tmp_path: Path) -> None:
    out = tmp_path / "incidents.csv"
    ids = [r["incident_id"] for r in export(hand_db, "incidents", out, "--severity", "SEV2")]
    assert ids == ["team:D.md", "team:B.md"]  # the two SEV2 incidents, newest first
    rows = export(hand_db, "incidents", out, "--since", "2026-03-01", "--until", "2026-06-30",
                  "--kind", "incident", "--kind", "drill")  # fmt: skip
    # B D F H E I J: F is a drill, chosen here; G has no date and C is in November.
    assert sorted(r["incident_id"][5] for r in rows) == list("BDEFHIJ")
    overdue = export(hand_db, "overdue", out, "--as-of", "2026-04-10")
    # A2 (due 03-01), D1 (due 04-01), and B2 (due 04-01, done only on 04-25).
    assert sorted(r["action_item_id"] for r in overdue) == [
        "team:A.md#2", "team:B.md#2", "team:D.md#1",
    ]  # fmt: skip
    recurrence = export(hand_db, "recurrence", out, "--dim", "service")
    assert [(r["service"], r["repeats"]) for r in recurrence] == [
        ("api", "2"), ("db", "1"), ("web", "1"),
    ]  # fmt: skip


def test_export_rejects_unknown_tables(hand_db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "secrets", "--out", str(tmp_path / "x.csv"), "--db", hand_db]
    )
    assert result.exit_code == 2


def test_document_text_cannot_smuggle_a_formula_into_the_csv(tmp_path: Path) -> None:
    db = str(tmp_path / "evil.duckdb")
    evil = PostMortem(
        source_name="docs", source_kind="git", source_id="evil.md",
        title='=HYPERLINK("http://attacker.example","click")',
        incident_date=date(2026, 5, 1), kind="incident", content_hash="x",
    )  # fmt: skip
    with store.writer(db) as conn:
        store.insert_postmortems(conn, [evil], datetime(2026, 5, 2))
    rows = export(db, "incidents", tmp_path / "out.csv")
    assert rows[0]["title"] == '\'=HYPERLINK("http://attacker.example","click")'


def page_table(
    db: str, page: str, monkeypatch: pytest.MonkeyPatch, columns: tuple[str, ...], **params: str
) -> pd.DataFrame:
    monkeypatch.setenv("PMDASH_DB", db)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return next(d.value for d in at.dataframe if all(c in d.value.columns for c in columns))


def test_cli_export_matches_the_incidents_page(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = page_table(sample_db, "incidents", monkeypatch, ("incident_id", "action_items"),
                       severity="SEV1", category="deployment")  # fmt: skip
    exported = export(sample_db, "incidents", tmp_path / "i.csv",
                      "--severity", "SEV1", "--category", "deployment")  # fmt: skip
    assert [r["incident_id"] for r in exported] == shown["incident_id"].tolist()
    assert [int(r["action_items"]) for r in exported] == shown["action_items"].tolist()
    assert [int(r["done"]) for r in exported] == shown["done"].tolist()
    assert list(exported[0]) == list(shown.columns)


def test_cli_export_matches_the_overdue_list(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = page_table(sample_db, "action_items", monkeypatch, ("days_overdue",),
                       as_of="2026-09-30", service="checkout")  # fmt: skip
    exported = export(sample_db, "overdue", tmp_path / "o.csv",
                      "--as-of", "2026-09-30", "--service", "checkout")  # fmt: skip
    assert len(exported) == len(shown) > 0
    assert [r["action_item_id"] for r in exported] == shown["action_item_id"].tolist()
    assert [int(r["days_overdue"]) for r in exported] == shown["days_overdue"].tolist()
