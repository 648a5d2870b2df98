"""Every table pmdash can export, by the name `pmdash export` and the CSV downloads use.

A page's download and `pmdash export NAME` call the same function (`write_csv`) with the same
`View`, so the CSV from the command line holds exactly the rows the page shows, byte for byte.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from queries import action_items, incidents, overview, quality, recurrence, runner, similar
from queries.export import copy_csv, to_csv_bytes
from queries.filters import DEFAULT_DIM, Filters

# Most rows a page shows of a table. Streamlit ships a dataframe whole (as Arrow) on every
# rerun, and caches it; 100,000 incidents would be megabytes per view and seconds of
# rendering. The CSV keeps every row.
ROWS_SHOWN = 1_000


@dataclass(frozen=True, slots=True)
class View:
    """The filters plus the analysis settings a table may need."""

    today: date
    filters: Filters = field(default_factory=Filters)
    dim: str = DEFAULT_DIM  # what two incidents share to count as a repeat
    window_days: int = 180
    threshold: int = 3
    period: str = "month"  # bucket of the counts over time
    duration_by: str = "severity"  # grouping of time to detect / recover
    as_of: date | None = None  # for overdue and ageing; None = today

    @property
    def as_of_date(self) -> date:
        return self.as_of or self.today


Table = Callable[[duckdb.DuckDBPyConnection, View], pd.DataFrame]


def _recurrence(function: Callable[..., pd.DataFrame], *, patterns: bool = False) -> Table:
    def build(conn: duckdb.DuckDBPyConnection, v: View) -> pd.DataFrame:
        extra = {"threshold": v.threshold} if patterns else {}
        return function(conn, v.filters, dim=v.dim, window_days=v.window_days, **extra)

    return build


def _over_time(by: str) -> Table:
    return lambda conn, v: incidents.over_time(conn, v.filters, by=by, period=v.period)


TABLES: dict[str, Table] = {
    # Overview
    "kpis": lambda c, v: overview.kpis(
        c, v.filters, dim=v.dim, window_days=v.window_days, today=v.today
    ),
    "incidents-by-severity": _over_time("severity"),
    "incidents-by-service": _over_time("service"),
    "incidents-by-category": _over_time("category"),
    "incidents-by-source": _over_time("source"),
    "incidents-by-team": _over_time("team"),
    "top-services": lambda c, v: incidents.top(c, v.filters, by="service"),
    "top-categories": lambda c, v: incidents.top(c, v.filters, by="category"),
    "latest-postmortems": lambda c, v: incidents.latest(c, v.filters),
    # Recurrence
    "service-category": lambda c, v: recurrence.service_category_matrix(c, v.filters),
    "recurrence": _recurrence(recurrence.repeat_rate_by_value),
    "repeat-rate-by-quarter": _recurrence(recurrence.repeat_rate_by_quarter),
    "recurring-patterns": _recurrence(recurrence.patterns, patterns=True),
    "recurring-pattern-incidents": _recurrence(recurrence.pattern_incidents, patterns=True),
    "deja-vu": _recurrence(recurrence.deja_vu),
    "similar-incidents": lambda c, v: similar.groups(c, v.filters),
    "themes-by-quarter": lambda c, v: similar.themes_by_quarter(c, v.filters),
    "theme-incidents": lambda c, v: similar.theme_incidents(c, v.filters),
    "fix-held": lambda c, v: recurrence.fix_held(
        c, v.filters, dim=v.dim, window_days=v.window_days, as_of=v.as_of_date
    ),
    # Action items
    "action-item-summary": lambda c, v: action_items.summary(c, v.filters, as_of=v.as_of_date),
    "action-items": lambda c, v: action_items.listing(c, v.filters, as_of=v.as_of_date),
    "status-by-quarter": lambda c, v: action_items.status_by_quarter(c, v.filters),
    "overdue": lambda c, v: action_items.overdue(c, v.filters, as_of=v.as_of_date),
    "ageing": lambda c, v: action_items.ageing(c, v.filters, as_of=v.as_of_date),
    "by-owner": lambda c, v: action_items.by_owner(c, v.filters, as_of=v.as_of_date),
    "by-service": lambda c, v: action_items.by_service(c, v.filters, as_of=v.as_of_date),
    "hygiene": lambda c, v: action_items.hygiene(c, v.filters),
    "vague-items": lambda c, v: action_items.vague(c, v.filters),
    "time-to-close": lambda c, v: action_items.time_to_close(c, v.filters),
    "drift": lambda c, v: action_items.drift(c, v.filters),
    "status-sources": lambda c, v: action_items.status_sources(c, v.filters),
    "completeness": lambda c, v: quality.completeness_by_section(c, v.filters),
    "completeness-by-document": lambda c, v: quality.completeness_by_document(c, v.filters),
    "durations": lambda c, v: quality.durations(c, v.filters, by=v.duration_by),
    # Incidents, Data & sources
    "incidents": lambda c, v: incidents.table(c, v.filters),
    "coverage": lambda c, v: quality.field_coverage(c, v.filters),
    "coverage-by-basis": lambda c, v: quality.field_coverage_by_basis(c, v.filters),
    "basis-mix": lambda c, v: incidents.basis_mix(c, v.filters),
    "sync-status": lambda c, v: quality.sync_status(c),
    "trackers": lambda c, v: quality.tracker_status(c),
    "load-errors": lambda c, v: quality.load_errors(c, v.filters),
}


def table(conn: duckdb.DuckDBPyConnection, name: str, view: View) -> pd.DataFrame:
    if name not in TABLES:
        raise KeyError(f"No table {name!r}; pmdash knows {', '.join(TABLES)}.")
    return TABLES[name](conn, view)


# Tables that can hold a row per incident or action item, each worked out by one query, so a
# page can ask for their first rows only (`first_rows`).
LONG = ("incidents", "deja-vu", "recurring-pattern-incidents", "theme-incidents", "fix-held",
        "similar-incidents", "overdue", "vague-items", "drift",
        "completeness-by-document")  # fmt: skip
ROWS_IN_ALL = "rows_in_all"  # the frame attribute `first_rows` sets


def first_rows(
    conn: duckdb.DuckDBPyConnection, name: str, view: View, limit: int = ROWS_SHOWN
) -> pd.DataFrame:
    """The first `limit` rows of `table(conn, name, view)`, in its order, with how many rows
    the whole table has in `frame.attrs["rows_in_all"]` (see `rows_in_all`)."""
    if name not in LONG:
        raise KeyError(f"{name!r} is not one of the long tables: {', '.join(LONG)}.")
    with runner.first_rows(limit) as counted:
        frame = table(conn, name, view)
    if counted.queries != 1:
        raise RuntimeError(f"table {name!r} ran {counted.queries} queries; first_rows needs one")
    frame.attrs[ROWS_IN_ALL] = counted.rows_in_all
    return mark(frame, name, view)


def mark(frame: pd.DataFrame, name: str, view: View) -> pd.DataFrame:
    """Note on `frame` (in its attrs) that it is table `name` of `view`, or its first rows:
    its CSV is then that table's (`marked_view`, pages/ui/widgets.csv_button)."""
    shape = {"rows": len(frame), "columns": list(frame.columns)}
    frame.attrs.update({"table": name, "view": view, **shape})
    return frame


def marked_view(frame: pd.DataFrame, name: str) -> View | None:
    """The view of table `name` when `frame` is that table as `mark` noted it; None for any
    other frame, one made from it too (pandas hands attrs on to a frame's filtered rows)."""
    view, attrs = frame.attrs.get("view"), frame.attrs
    untouched = attrs.get("rows") == len(frame) and attrs.get("columns") == list(frame.columns)
    return view if attrs.get("table") == name and isinstance(view, View) and untouched else None


def rows_in_all(frame: pd.DataFrame) -> int:
    """How many rows the table has whose first rows `frame` holds (`first_rows`); a frame
    with all of its rows: its length."""
    return int(frame.attrs.get(ROWS_IN_ALL, len(frame)))


# Tables put together in Python from their query's rows (tiles from several queries, period
# labels, sums over sources): a few tiles or a chart's rows, whose CSV pandas writes from
# the frame. Every other table is one query whose CSV DuckDB writes (`write_csv`).
ASSEMBLED = ("kpis", "incidents-by-severity", "incidents-by-service", "incidents-by-category",
             "incidents-by-source", "incidents-by-team", "hygiene")  # fmt: skip


def write_csv(conn: duckdb.DuckDBPyConnection, name: str, view: View, path: Path) -> int:
    """Write `table(conn, name, view)` to `path` as CSV (queries/export.py); returns its rows.

    A table of one query is written by DuckDB straight from the query (export.copy_csv): at
    100,000 incidents the whole table never becomes a DataFrame. The table's function runs
    with `runner.queries_only`, so the query and the column names it ends with (a `value`
    column named after the repeat dimension) are the function's own."""
    if name not in TABLES:
        raise KeyError(f"No table {name!r}; pmdash knows {', '.join(TABLES)}.")
    if name in ASSEMBLED:
        frame = table(conn, name, view)
        path.write_bytes(to_csv_bytes(frame))
        return len(frame)
    with runner.queries_only() as asked:
        shape = table(conn, name, view)
    if len(asked) != 1:
        raise RuntimeError(f"table {name!r} ran {len(asked)} queries; list it in ASSEMBLED")
    [query] = asked
    columns = [c for c in query.columns if c != runner.ROWS_IN_ALL_COLUMN]
    names = list(shape.columns)
    # The function may rename the query's columns, not move, add or drop them: those would
    # be a different table from the rows DuckDB writes.
    moved = [n for n, c in zip(names, columns, strict=False) if n != c and n in columns]
    if len(names) != len(columns) or moved:
        raise RuntimeError(f"table {name!r} changes its query's columns; list it in ASSEMBLED")
    return copy_csv(conn, query, names, path)


def csv_bytes(conn: duckdb.DuckDBPyConnection, name: str, view: View) -> bytes:
    """The CSV of a table (`write_csv`), through a file of its own that is gone after."""
    with tempfile.TemporaryDirectory(prefix="pmdash-csv-") as folder:
        path = Path(folder) / f"{name}.csv"
        write_csv(conn, name, view, path)
        return path.read_bytes()
