"""Recurrence (SPEC §6): repeat incidents, recurring patterns and déjà vu, per dimension.

`dim` is the dimension two incidents must share to be "the same incident again": a
service, a category, or the service × category pair. The window and threshold come from
`[recurrence]` in pmdash.toml.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from queries.filters import DIMENSIONS, Filters
from queries.runner import run


def _check(dim: str) -> None:
    if dim not in DIMENSIONS:
        raise ValueError(f"dim must be one of {', '.join(DIMENSIONS)}, not {dim!r}")


def repeat_summary(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    """One row: incidents, repeats, repeat_rate, without_value (incidents with no `dim`)."""
    _check(dim)
    return run(conn, "repeat_summary", **filters.params(), dim=dim, window_days=window_days)


def repeat_summary_by_period(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    previous: Filters,
    *,
    dim: str,
    window_days: int,
) -> pd.DataFrame:
    """`repeat_summary` of `filters` and of `previous` (the same filters over other dates) in
    one query: one row each, indexed 'current' and 'previous'."""
    _check(dim)
    if previous.between(None, None) != filters.between(None, None):
        raise ValueError("the two periods must differ only in their dates")
    frame = run(
        conn,
        "repeat_summary_by_period",
        **filters.between(None, None).params(),
        current_start=filters.start,
        current_end=filters.end,
        previous_start=previous.start,
        previous_end=previous.end,
        dim=dim,
        window_days=window_days,
    )
    return frame.set_index("period")


def repeat_rate_by_quarter(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    _check(dim)
    return run(conn, "repeat_rate_by_quarter", **filters.params(), dim=dim, window_days=window_days)


def repeat_rate_by_value(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    _check(dim)
    frame = run(conn, "repeat_rate_by_value", **filters.params(), dim=dim, window_days=window_days)
    return frame.rename(columns={"value": dim})


def patterns(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    dim: str,
    window_days: int,
    threshold: int,
    active_from: date | None = None,
) -> pd.DataFrame:
    """Values with at least `threshold` incidents inside one window; `active_from` keeps only
    those with an incident on or after that date."""
    _check(dim)
    frame = run(
        conn,
        "recurring_patterns",
        **filters.params(),
        dim=dim,
        window_days=window_days,
        threshold=threshold,
        active_from=active_from,
    )
    return frame.rename(columns={"value": dim})


def pattern_incidents(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    dim: str,
    window_days: int,
    threshold: int,
    active_from: date | None = None,
) -> pd.DataFrame:
    _check(dim)
    frame = run(
        conn,
        "recurring_pattern_incidents",
        **filters.params(),
        dim=dim,
        window_days=window_days,
        threshold=threshold,
        active_from=active_from,
    )
    return frame.rename(columns={"value": dim})


def deja_vu(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    """Repeats that struck while an earlier matching incident's action item was not done."""
    _check(dim)
    frame = run(conn, "deja_vu", **filters.params(), dim=dim, window_days=window_days)
    return frame.rename(columns={"value": dim})


def service_category_matrix(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "service_category_matrix", **filters.params())
