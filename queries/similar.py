"""Similar incidents and themes (SPEC §6, §7): their groups, themes over time and their
incidents, and one incident's "seen before" list.

The pairs and themes themselves are computed at sync time (loaders/enrich/); these are the
reads the Recurrence and Incidents pages and `pmdash export` make of them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.filters import Filters
from queries.runner import run


def groups(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Groups of similar incidents in the selection, newest group first, one row per incident."""
    return run(conn, "similar_groups", **filters.params())


def themes_by_quarter(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "themes_by_quarter", **filters.params())


def theme_incidents(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "theme_incidents", **filters.params())


def seen_before(
    conn: duckdb.DuckDBPyConnection, incident_id: str, *, filters: Filters
) -> pd.DataFrame:
    """The incidents similar to one, most similar first (of the selected kinds)."""
    return run(conn, "seen_before", incident_id=incident_id, kinds=filters.params()["kinds"])
