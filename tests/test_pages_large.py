"""Large stores: a table sends at most widgets.ROWS_SHOWN rows to the browser, says so, and
its CSV (`pmdash export`'s rows, asked for when the button is clicked) keeps every row.

The store is the benchmark's generated one (bench/bigstore.py) at 2,000 incidents, more than
a table shows, with the default filters (kind `incident`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from bench import bigstore
from loaders.store import connect_read_only
from pages.ui import widgets
from pages.ui.widgets import ROWS_SHOWN
from queries import quarterly, tables
from queries.export import to_csv_bytes
from queries.tables import View

REPO = Path(__file__).resolve().parents[1]
INCIDENTS, ITEMS = 2_000, 10_000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bigstore.build(tmp_path_factory.mktemp("large") / "big.duckdb", INCIDENTS, ITEMS)


def test_the_incidents_table_ships_its_first_rows_and_says_so(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", str(big))
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    with duckdb.connect(str(big), read_only=True) as conn:
        # The page's default selection: incidents whose kind is incident or not stated.
        [(selected,)] = conn.execute(
            "select count(*) from incidents where coalesce(kind, 'incident') = 'incident'"
        ).fetchall()
    assert selected > ROWS_SHOWN  # else this test would prove nothing
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/incidents.py")
    at.run()
    assert not at.exception and not at.error
    table = next(d.value for d in at.dataframe if {"incident_id", "title"} <= set(d.value.columns))
    assert len(table) == ROWS_SHOWN
    captions = [c.value for c in at.caption]
    expected = f"Showing the first {ROWS_SHOWN:,} of {selected:,} rows"
    assert any(c.startswith(expected) for c in captions), captions


def test_the_csv_of_a_long_table_holds_every_row(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page keeps only the first rows (data.first_rows); its CSV button asks the store for
    # every row when clicked: the same bytes as `pmdash export incidents`.
    monkeypatch.setenv("PMDASH_DB", str(big))
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    made: dict[str, Callable[[], str | bytes]] = {}
    monkeypatch.setattr(widgets, "download_button", lambda label, make, **_: made.update({label: make}))  # fmt: skip
    view = View(today=date.today())
    with connect_read_only(str(big)) as conn:
        first = tables.first_rows(conn, "incidents", view)
        whole = tables.table(conn, "incidents", view)
    assert len(first) == ROWS_SHOWN < len(whole)
    widgets.csv_button(first, "incidents")
    got = made["CSV: incidents.csv"]()
    assert got == to_csv_bytes(whole)
    assert got.count(b"\n") == len(whole) + 1  # a header line, then a line per incident


def test_the_quarterly_review_ships_the_first_pattern_incidents_and_its_csv_all(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The review reads only the first rows of its pattern incidents for the page (a quarter
    # of a large store holds tens of thousands); the CSV button and the pack read them all
    # when clicked. A page of 5 rows here, as the store's quarter holds a few hundred.
    monkeypatch.setenv("PMDASH_DB", str(big))
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    monkeypatch.setattr(tables, "ROWS_SHOWN", 5)
    monkeypatch.setattr(widgets, "ROWS_SHOWN", 5)
    made: dict[str, Callable[[], str | bytes]] = {}
    monkeypatch.setattr(widgets, "download_button", lambda label, make, **_: made.update({label: make}))  # fmt: skip
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/quarterly_review.py")
    at.run()
    assert not at.exception and not at.error
    view = View(today=date.today())
    with connect_read_only(str(big)) as conn:
        full = quarterly.review(
            conn, view.filters, quarterly.latest_complete_quarter(view.today), dim=view.dim,
            window_days=view.window_days, threshold=view.threshold,
        )  # fmt: skip
    every = full.pattern_incidents
    assert len(every) > 5  # else this test would prove nothing
    shown = next(d.value for d in at.dataframe if list(d.value.columns) == list(every.columns))
    assert len(shown) == 5
    assert shown["incident_id"].tolist() == every["incident_id"].head(5).tolist()
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"Showing the first 5 of {len(every):,} rows") for c in captions)
    assert made["CSV: recurring_pattern_incidents.csv"]() == to_csv_bytes(every)
    # The pack's zip too holds every pattern incident.
    archive = zipfile.ZipFile(io.BytesIO(made["CSVs behind it (zip)"]()))  # type: ignore[arg-type]
    assert archive.read("recurring_pattern_incidents.csv") == to_csv_bytes(every)
