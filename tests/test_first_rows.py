"""A page asks for the first rows of a long table only (queries/tables.first_rows): they are
the whole table's first rows, in its order, and the count of all its rows is the whole
table's length. On the sample, on the real corpus synced with every default step, and on
the benchmark's generated store, where the tables are longer than a page shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bench import bigstore
from loaders.store import connect_read_only
from queries import tables
from queries.filters import DIMENSIONS
from queries.tables import LONG, View, first_rows, rows_in_all

TODAY = date(2026, 12, 1)  # a fixed day, so overdue items and "so far" do not move


def views() -> list[View]:
    # Every repeat dimension: déjà vu, patterns and Fix held? change with it.
    return [View(today=TODAY, dim=dim) for dim in DIMENSIONS]


def _nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def _check(db: str, limit: int) -> int:
    """Every long table under every view; returns how many of them were cut short."""
    cut = 0
    with connect_read_only(db) as conn:
        for view in views():
            for name in LONG:
                whole = tables.table(conn, name, view)
                first = first_rows(conn, name, view, limit)
                assert rows_in_all(first) == len(whole), name
                expected = whole.head(limit)
                # The same values; a text column empty in the first rows comes as objects
                # (None) where all of them come as strings (NaN): both are NULL.
                pd.testing.assert_frame_equal(_nulls_as_none(first), _nulls_as_none(expected),
                                              check_dtype=False, obj=name)  # fmt: skip
                assert first.attrs["table"] == name and first.attrs["view"] == view
                cut += len(whole) > limit
    return cut


def test_first_rows_are_the_tables_first_rows_on_the_sample(sample_db: str) -> None:
    # Three rows: the sample's long tables have more than that (checked by the count), so
    # the cut is exercised, not only the case of a table shorter than a page.
    assert _check(sample_db, 3) > 0


def test_first_rows_are_the_tables_first_rows_on_the_real_corpus(corpus_db: str) -> None:
    assert _check(corpus_db, 3) > 0
    # A page's limit (1,000) is more than either collection has: every row, same count.
    assert _check(corpus_db, tables.ROWS_SHOWN) == 0


def test_first_rows_on_a_store_longer_than_a_page(tmp_path: Path) -> None:
    db = bigstore.build(tmp_path / "big.duckdb", 2_000, 10_000)
    with connect_read_only(str(db)) as conn:
        view = View(today=TODAY)
        first = first_rows(conn, "incidents", view)
        whole = tables.table(conn, "incidents", view)
    assert len(whole) > tables.ROWS_SHOWN  # else this test would prove nothing
    assert rows_in_all(first) == len(whole)
    pd.testing.assert_frame_equal(
        _nulls_as_none(first), _nulls_as_none(whole.head(tables.ROWS_SHOWN)), check_dtype=False
    )


def test_only_long_tables_have_first_rows(sample_db: str) -> None:
    with connect_read_only(sample_db) as conn, pytest.raises(KeyError, match="long tables"):
        first_rows(conn, "kpis", View(today=TODAY))
    # A whole table's frame counts its own rows.
    assert rows_in_all(pd.DataFrame({"a": [1, 2]})) == 2
