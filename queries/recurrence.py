"""Recurrence (SPEC §6): repeat incidents, recurring patterns and déjà vu, per dimension.

`dim` is the dimension two incidents must share to be "the same incident again": a
service, a category, or the service × category pair. The window and threshold come from
`[recurrence]` in pmdash.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from loaders.store import StoreError
from queries import incidents
from queries.filters import BASES, DEFAULT_DIM, DEFAULT_KINDS, DIMENSION_LABELS, DIMENSIONS, Filters
from queries.runner import run, run_aside

# A dimension is the default repeat dimension when at least this share of the incidents
# have a value for it: an incident without one can never repeat.
DEFAULT_DIM_COVERAGE = 0.5
COVERAGE_COLUMNS = {
    "service_category": "with_service_and_category",
    "service": "with_service",
    "category": "with_category",
    "similar": "with_similar",
}
SPECIFIC = ("service_category", "service", "category")  # dimensions named by the documents


@dataclass(frozen=True, slots=True)
class DimensionChoice:
    dim: str
    reason: str  # "0 of 11 incidents name a service, 9 name a category"


def default_dimension(conn: duckdb.DuckDBPyConnection) -> DimensionChoice:
    """The repeat dimension the store's incidents support (`choose_dimension`), over the
    whole store, so the default does not change with the sidebar's filters."""
    return choose_dimension(incidents.field_counts(conn, Filters()))


def choose_dimension(counts: pd.Series) -> DimensionChoice:
    """The first of DIMENSIONS (most specific first) that at least half of the incidents
    `counts` (a row of `incidents.field_counts`) counts name, else the one most of them
    name. Pages pass the counts they ask for anyway (one query, cached, not three)."""
    total = int(counts["incidents"])
    covered = {dim: int(counts[COVERAGE_COLUMNS[dim]]) for dim in DIMENSIONS}
    reason = (
        f"{covered['service']} of {total} incidents name a service, "
        f"{covered['category']} a category, {covered['service_category']} both"
    )
    if total and covered["service"] < DEFAULT_DIM_COVERAGE * total:
        # SPEC §6: when most incidents name no service, only their text can say that two
        # incidents are alike.
        return DimensionChoice("similar", f"{reason}: most name no service")
    for dim in SPECIFIC:
        if total and covered[dim] >= DEFAULT_DIM_COVERAGE * total:
            return DimensionChoice(dim, reason)
    best = max(SPECIFIC, key=lambda d: covered[d])  # the first of equals: the most specific
    return DimensionChoice(best if covered[best] else DEFAULT_DIM, reason)


def dimension_note(counts: pd.Series, dim: str) -> str:
    """Why repeats by `dim` are few or none in the selection `counts` (a row of
    `incidents.field_counts`) counts: "0 of 11 incidents in this selection name a
    service × category, so none of them can repeat"; empty when all of them name one."""
    total, covered = int(counts["incidents"]), int(counts[COVERAGE_COLUMNS[dim]])
    if covered == total:
        return ""
    consequence = "none of them can" if covered == 0 else "the others cannot"
    if dim == "similar":
        return f"{covered} of {total} incidents in this selection are similar to another, so {consequence} repeat"
    return (
        f"{covered} of {total} incidents in this selection name a {DIMENSION_LABELS[dim]}, "
        f"so {consequence} repeat"
    )


def _params(filters: Filters) -> dict[str, Any]:
    """The filters' parameters, and whether their kinds and bases are the sidebar's default
    ones, for which the sync kept the repeat answers (loaders/enrich/recurrence_facts.py)."""
    params = filters.params()
    default = set(params["kinds"]) == set(DEFAULT_KINDS) and set(params["bases"]) == set(BASES)
    return {**params, "default_selection": default}


def _check(dim: str) -> None:
    if dim not in DIMENSIONS:
        raise ValueError(f"dim must be one of {', '.join(DIMENSIONS)}, not {dim!r}")


def repeat_summary(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    """One row: incidents, repeats, repeat_rate, without_value (incidents with no `dim`)."""
    _check(dim)
    return run(conn, "repeat_summary", **_params(filters), dim=dim, window_days=window_days)


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
        **_params(filters.between(None, None)),
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
    return run(conn, "repeat_rate_by_quarter", **_params(filters), dim=dim, window_days=window_days)


def repeat_rate_by_value(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    return _per_value(
        conn, "repeat_rate_by_value", filters, dim, window_days=window_days,
        unfiltered=_unfiltered(filters),
    )  # fmt: skip


def _unfiltered(filters: Filters) -> bool:
    """The default selection (incidents, every basis) with no other filter: every incident
    with a row in incident_values for it is selected."""
    if not _params(filters)["default_selection"] or (filters.start, filters.end) != (None, None):
        return False
    return not (filters.severities or filters.services or filters.categories or filters.sources)


def _kept_patterns(
    conn: duckdb.DuckDBPyConnection, filters: Filters, window_days: int, threshold: int
) -> bool:
    """Whether the sync kept the recurring patterns these filters and settings ask for: the
    default selection (incidents, every basis) with no other filter, at the sync's window
    and threshold (loaders/enrich/recurrence_facts.py `default_pattern_window`)."""
    if not _unfiltered(filters):
        return False
    kept = run_aside(conn, "deja_vu_window").iloc[0]
    return bool(
        pd.notna(kept["pattern_threshold"])
        and int(kept["deja_vu_window_days"]) == window_days
        and int(kept["pattern_threshold"]) == threshold
    )


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
    return _per_value(
        conn, "recurring_patterns", filters, dim,
        window_days=window_days, threshold=threshold, active_from=active_from,
        kept_patterns=_kept_patterns(conn, filters, window_days, threshold),
    )  # fmt: skip


def pattern_incidents(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    dim: str,
    window_days: int,
    threshold: int,
    active_from: date | None = None,
) -> pd.DataFrame:
    return _per_value(
        conn, "recurring_pattern_incidents", filters, dim,
        window_days=window_days, threshold=threshold, active_from=active_from,
        kept_patterns=_kept_patterns(conn, filters, window_days, threshold),
    )  # fmt: skip


def deja_vu(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int
) -> pd.DataFrame:
    """Repeats that struck while an earlier matching incident's action item was not done.

    The candidates are kept at sync for the configured window (loaders/enrich/
    recurrence_facts.py): another window needs a sync first, and says so."""
    kept = run_aside(conn, "deja_vu_window")["deja_vu_window_days"].iloc[0]
    if pd.notna(kept) and int(kept) != window_days:
        raise StoreError(
            "Déjà vu needs a sync",
            "the store",
            f"its last sync kept déjà vu for a window of {int(kept)} days; the "
            f"configuration now says {window_days} (`[recurrence] window_days`).",
            "Sync again: **Sync now** on Data & sources, or `pmdash sync`.",
        )
    return _per_value(
        conn, "deja_vu", filters, dim, window_days=window_days, unfiltered=_unfiltered(filters)
    )


def fix_held(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, dim: str, window_days: int, as_of: date
) -> pd.DataFrame:
    """Incidents whose action items are all done: did the same kind of incident strike again
    within the window after the last one closed? (SPEC §6 "Fix held?")"""
    _check(dim)
    return run(
        conn, "fix_held", **_params(filters), dim=dim, window_days=window_days, as_of=as_of,
        unfiltered=_unfiltered(filters),
    )  # fmt: skip


def service_category_matrix(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "service_category_matrix", **_params(filters))


def _per_value(
    conn: duckdb.DuckDBPyConnection, name: str, filters: Filters, dim: str, **params: Any
) -> pd.DataFrame:
    """A query with one row per dimension value, its `value` column named after the dimension."""
    _check(dim)
    frame = run(conn, name, **_params(filters), dim=dim, **params)
    return frame.rename(columns={"value": dim})
