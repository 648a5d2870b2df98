"""CSV export: safe cells, stable columns, `pmdash export` with the dashboard's filters, and
the same rows as the page shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from cli import main
from loaders import store
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import ActionItem, PostMortem
from loaders.store import connect_read_only
from pages.ui import data, widgets
from queries import action_items
from queries.export import copy_csv, csv_frame, neutralise, to_csv_bytes
from queries.filters import DIMENSIONS
from queries.runner import Query
from queries.tables import TABLES, View, csv_bytes, table, write_csv

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
        DashboardFacts().run(conn, changed=True)  # the last step of a sync
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


# CSV written by DuckDB (tables.write_csv, export.copy_csv): the same cells as csv_frame.

CELLS = [  # id, text, rate, n, day, moment, done, amount, tags
    (1, "=1+1", 0.25, 3, date(2026, 1, 10), datetime(2026, 1, 10, 9, 30, 5, 750000), True,
     Decimal("1.50"), ["a", "=b"]),
    (2, 'a, "quoted"\nline', None, None, None, datetime(2026, 1, 11), False, None, None),
    (3, "", float("nan"), -4, date(1999, 12, 31), None, None, Decimal("-0.05"), []),
    (4, "-1", 1e-05, 0, date(2026, 12, 31), None, None, None, None),
    (5, "\tx", 1e16, None, None, None, None, None, None),
    (6, "cr\rx", 0.1 + 0.2, None, None, None, None, None, None),
    (7, "@SUM(A1)", 100.0, None, None, None, None, None, None),
    (8, "+44 20", float("inf"), None, None, None, None, None, None),
    (9, "ünïcødé — ✓ 😀", -2.5, None, None, None, None, None, None),
    (10, None, None, None, None, None, None, None, None),
    (11, "plain = text", None, None, None, None, None, None, None),
    (12, "'quoted already", None, None, None, None, None, None, None),
    (13, "a#b; c", None, None, None, None, None, None, None),
    (14, "\r\nstarts", None, None, None, None, None, None, None),
]  # fmt: skip


def test_duckdb_writes_every_kind_of_cell_safe_and_as_pandas_does(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "cells.duckdb"))
    conn.execute("create table cells (id integer, text varchar, rate double, n bigint, day date, "
                 "moment timestamp, done boolean, amount decimal(6, 2), tags varchar[])")  # fmt: skip
    conn.executemany("insert into cells values (?, ?, ?, ?, ?, ?, ?, ?, ?)", CELLS)
    sql = "select * exclude (id) from cells where id <= $last order by id"
    relation = conn.sql(sql, params={"last": 14})
    query = Query(sql, {"last": 14}, relation.columns, relation.types)
    out = tmp_path / "cells.csv"
    # The header is the names given (a column renamed, as recurrence names `value`).
    assert copy_csv(conn, query, ["title", *query.columns[1:]], out) == 14
    expected = (
        "title,rate,n,day,moment,done,amount,tags\n"
        # Formula starts get an apostrophe; a time keeps its seconds, not their fraction;
        # booleans as pandas writes them; a decimal as a float; a list as DuckDB writes it.
        "'=1+1,0.25,3,2026-01-10,2026-01-10 09:30:05,True,1.5,\"[a, '=b']\"\n"
        # Commas, quotes and line ends quoted; NULL empty; a time at midnight keeps its time.
        '"a, ""quoted""\nline",,,,2026-01-11 00:00:00,False,,\n'
        # Empty text and NaN are empty cells, as NULL.
        ",,-4,1999-12-31,,,-0.05,[]\n"
        "'-1,1e-05,0,2026-12-31,,,,\n"  # a negative number as text is text; 1e-05 as Python
        "'\tx,1e+16,,,,,,\n"
        '"cr\rx",0.30000000000000004,,,,,,\n'  # a bare carriage return is quoted
        "'@SUM(A1),100.0,,,,,,\n"
        "'+44 20,inf,,,,,,\n"
        "ünïcødé — ✓ 😀,-2.5,,,,,,\n"
        ",,,,,,,\n"
        "plain = text,,,,,,,\n"  # only the first character counts
        "'quoted already,,,,,,,\n"
        "a#b; c,,,,,,,\n"  # no comment character: a `#` is text
        '"\'\r\nstarts",,,,,,,\n'
    )
    assert out.read_bytes().decode("utf-8") == expected
    # pandas writes the same text but for the two cells where DuckDB knows better: the list
    # (numpy's picture of it) and the bare carriage return (left unquoted).
    frame = conn.sql(sql, params={"last": 14}).df().rename(columns={"text": "title"})
    assert to_csv_bytes(frame).decode("utf-8") == expected.replace(
        "\"[a, '=b']\"", "['a' '=b']"
    ).replace('"cr\rx"', "cr\rx")


HOSTILE = [
    PostMortem(source_name="docs", source_kind="git", source_id="x.md",
               title='=HYPERLINK("http://attacker.example","click")',
               source_url="https://example.com/x", incident_date=date(2026, 5, 1),
               severity="SEV1", severity_rank=1, kind="incident", services=[("-svc", "-svc")],
               categories=[("a, b", "a, b")], time_to_detect_minutes=7.5, content_hash="x",
               action_items=[
                   ActionItem(position=1, title="@owner: fix it", owner="+bob",
                              due_date=date(2026, 4, 1), status="open"),
                   ActionItem(position=2, title='Say "no",\nthen stop', due_date=date(2026, 3, 1),
                              status="in_progress", ticket="-T1"),
               ]),
    PostMortem(source_name="docs", source_kind="git", source_id="y.md",
               title='Outage, "big"\nsecond line', services=[("ünïcødé ✓", "ünïcødé ✓")],
               content_hash="y"),
    PostMortem(source_name="docs", source_kind="git", source_id="z.md", title=None,
               incident_date=date(2026, 6, 1), severity="SEV3", severity_rank=3,
               time_to_recover_minutes=90.0, content_hash="z"),
]  # fmt: skip
HOSTILE_CSV = {
    "incidents": (
        "incident_id,title,url,incident_date,severity,services,categories,kind,status,source,"
        "action_items,done,open,in_progress,wont_do,unknown,time_to_detect_minutes,"
        "time_to_recover_minutes\n"
        # Newest first, the undated last; no title is an empty cell; a whole number of
        # minutes stays a float column's 90.0.
        "docs:z.md,,,2026-06-01,SEV3,,,incident,,docs,0,0,0,0,0,0,,90.0\n"
        'docs:x.md,"\'=HYPERLINK(""http://attacker.example"",""click"")",'
        'https://example.com/x,2026-05-01,SEV1,\'-svc,"a, b",incident,,docs,2,0,1,1,0,0,7.5,\n'
        'docs:y.md,"Outage, ""big""\nsecond line",,,unrated,ünïcødé ✓,,incident,,docs,'
        "0,0,0,0,0,0,,\n"
    ),
    "overdue": (
        "action_item_id,title,owner,due_date,days_overdue,status,ticket,ticket_url,incident_id,"
        "incident_title,incident_date,severity,incident_url\n"
        # Most overdue first on 2026-06-30: due 03-01 (121 days), then 04-01 (90 days).
        'docs:x.md#2,"Say ""no"",\nthen stop",,2026-03-01,121,in_progress,\'-T1,,docs:x.md,'
        '"\'=HYPERLINK(""http://attacker.example"",""click"")",2026-05-01,SEV1,'
        "https://example.com/x\n"
        "docs:x.md#1,'@owner: fix it,'+bob,2026-04-01,90,open,,,docs:x.md,"
        '"\'=HYPERLINK(""http://attacker.example"",""click"")",2026-05-01,SEV1,'
        "https://example.com/x\n"
    ),
}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("hostile") / "store.duckdb")
    with store.writer(db) as conn:
        store.insert_postmortems(conn, HOSTILE, datetime(2026, 6, 2, 9, 0))
        DashboardFacts().run(conn, changed=True)
    return db


def page_csv(frame: pd.DataFrame, name: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The bytes the page's CSV button of `frame` hands Streamlit when clicked."""
    made: list[Callable[[], bytes]] = []
    monkeypatch.setattr(widgets.st, "download_button", lambda *_, data, **__: made.append(data))
    widgets.csv_button(frame, name)
    return made[0]()


@pytest.mark.parametrize("name", sorted(HOSTILE_CSV))
def test_export_and_the_page_write_the_same_exact_bytes(
    hostile_db: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(
        main, ["export", name, "--out", "-", "--db", hostile_db, "--as-of", "2026-06-30"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == HOSTILE_CSV[name]
    out = tmp_path / f"{name}.csv"
    export(hostile_db, name, out, "--as-of", "2026-06-30")
    assert out.read_bytes() == result.stdout_bytes
    # The page: its first rows (a page's long table), and the whole table (drill.py).
    monkeypatch.setenv("PMDASH_DB", hostile_db)
    view = View(today=date(2026, 12, 1), as_of=date(2026, 6, 30))
    assert page_csv(data.first_rows(name, view), name, monkeypatch) == result.stdout_bytes
    assert page_csv(data.table(name, view), name, monkeypatch) == result.stdout_bytes


def test_a_frame_a_page_made_of_a_table_is_written_as_it_is(
    hostile_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", hostile_db)
    overdue = data.table("overdue", View(today=date(2026, 12, 1), as_of=date(2026, 6, 30)))
    # pandas hands the table's attrs on to its rows picked: still not the whole table.
    picked = overdue[overdue["days_overdue"] > 100]
    assert picked.attrs["table"] == "overdue" and len(picked) == 1
    assert page_csv(picked, "overdue", monkeypatch) == to_csv_bytes(picked)
    assert page_csv(overdue, "overdue-incidents", monkeypatch) == to_csv_bytes(overdue)


@pytest.mark.parametrize("dim", DIMENSIONS)
def test_duckdb_writes_what_pandas_wrote_for_every_table(hand_db: str, dim: str) -> None:
    # Each table's CSV as DuckDB writes it from the query, and as pandas wrote it from the
    # frame the table's function returns: a table that changed its rows in Python would
    # differ here (it belongs in tables.ASSEMBLED). The hand store has no TIMESTAMP column
    # all at midnight, where the two differ (export.py).
    with connect_read_only(hand_db) as conn:
        for as_of in (date(2026, 4, 10), None):
            view = View(today=date(2026, 12, 1), dim=dim, as_of=as_of)
            for name in TABLES:
                frame = table(conn, name, view)
                assert csv_bytes(conn, name, view) == to_csv_bytes(frame), name


def test_a_table_whose_python_changes_its_columns_is_refused(
    hand_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # DuckDB writes the query's columns: a column added (or moved) in Python would be lost.
    monkeypatch.setitem(TABLES, "added", lambda c, v: overdue_frame(c, v).assign(extra=1))
    moved = lambda c, v: overdue_frame(c, v).iloc[:, ::-1]  # noqa: E731
    monkeypatch.setitem(TABLES, "moved", moved)
    with connect_read_only(hand_db) as conn:
        view = View(today=date(2026, 12, 1))
        for name in ("added", "moved"):
            with pytest.raises(RuntimeError, match="changes its query's columns"):
                write_csv(conn, name, view, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def overdue_frame(conn: duckdb.DuckDBPyConnection, view: View) -> pd.DataFrame:
    return action_items.overdue(conn, view.filters, as_of=view.as_of_date)
