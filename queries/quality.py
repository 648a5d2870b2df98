"""How good the post-mortems and the data are (SPEC §6): completeness by section, durations
as distributions, field coverage by source, and what the last syncs reported.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import Filters
from queries.runner import run

DURATION_GROUPS = ("severity", "source", "service", "category")
SMALL_N = 5  # groups with fewer incidents than this are flagged: their median and p90 are shaky


def completeness_by_section(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "completeness_by_section", **filters.params())


def completeness_by_document(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "completeness_by_document", **filters.params())


def durations(conn: duckdb.DuckDBPyConnection, filters: Filters, *, by: str) -> pd.DataFrame:
    """Time to detect and to recover per group: n, median, p90 in minutes, small_n (n < 5)."""
    if by not in DURATION_GROUPS:
        raise ValueError(f"by must be one of {', '.join(DURATION_GROUPS)}")
    return run(conn, "duration_stats", **filters.params(), by=by, small_n=SMALL_N)


def field_coverage(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "field_coverage", **filters.params())


def field_coverage_by_basis(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "field_coverage_by_basis", **filters.params())


def sync_status(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return run(conn, "sync_status")


def tracker_status(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each connected tracker: last look-up, tickets by state, requests (SPEC §4.4)."""
    return run(conn, "tracker_status")


def load_errors(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "load_errors", sources=list(filters.sources))


def store_sources(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The sources that built the store (`source`, `kind`, `incidents`, `last_synced`)."""
    return run(conn, "store_sources")
