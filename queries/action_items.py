"""Action items (SPEC §6): closure, on-time, overdue, ageing, time to close, hygiene.

`unknown` is a status of its own: most post-mortems list items with no status at all, so
every table here shows it beside the others instead of folding it into open or done.
Vague titles are judged by `loaders.hygiene.vague_reason`, the same rule `pmdash lint` uses,
once per sync (loaders/enrich/dashboard_facts.py).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from queries.filters import Filters
from queries.quality import SMALL_N
from queries.runner import run

STATUSES = ("done", "in_progress", "open", "wont_do", "unknown")
HYGIENE_SHARES = ("with_owner", "with_due_date", "with_ticket", "vague")


def summary(conn: duckdb.DuckDBPyConnection, filters: Filters, *, as_of: date) -> pd.DataFrame:
    """One row: counts per status, closure, wont_do and unknown shares, on-time, overdue."""
    return run(conn, "action_item_summary", **filters.params(), as_of=as_of)


def status_by_quarter(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "action_item_status_by_quarter", **filters.params())


def overdue(conn: duckdb.DuckDBPyConnection, filters: Filters, *, as_of: date) -> pd.DataFrame:
    return run(conn, "overdue_items", **filters.params(), as_of=as_of)


def ageing(conn: duckdb.DuckDBPyConnection, filters: Filters, *, as_of: date) -> pd.DataFrame:
    return run(conn, "action_item_ageing", **filters.params(), as_of=as_of)


def by_owner(conn: duckdb.DuckDBPyConnection, filters: Filters, *, as_of: date) -> pd.DataFrame:
    return run(conn, "action_items_by_owner", **filters.params(), as_of=as_of)


def by_service(conn: duckdb.DuckDBPyConnection, filters: Filters, *, as_of: date) -> pd.DataFrame:
    return run(conn, "action_items_by_service", **filters.params(), as_of=as_of)


def time_to_close(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "time_to_close", **filters.params(), small_n=SMALL_N)


def listing(conn: duckdb.DuckDBPyConnection, filters: Filters, *, as_of: date) -> pd.DataFrame:
    """Every item of the selection: the `action-items` export."""
    return run(conn, "action_items_list", **filters.params(), as_of=as_of)


def drift(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Items whose document and tracker disagree, and tickets the tracker does not know."""
    return run(conn, "action_item_drift", **filters.params())


def status_sources(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row: how many items take their status from a tracker, a document, or nowhere."""
    return run(conn, "action_item_status_sources", **filters.params())


def hygiene(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Over all sources, then per source: items, and the shares with an owner, a due date, a
    ticket, and with a vague title."""
    counts = run(conn, "action_item_hygiene", **filters.params())
    if len(counts):
        overall = counts.drop(columns="source").sum().to_dict()
        counts = pd.concat([pd.DataFrame([{"source": "all sources", **overall}]), counts])
    shares = counts.reset_index(drop=True)
    for column in HYGIENE_SHARES:
        shares[column] = shares[column] / shares["items"]
    return shares[["source", "items", *HYGIENE_SHARES]].astype({"items": "int64"})


def vague(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Unfinished items (open, in_progress, unknown) whose title is vague, with the reason."""
    return run(conn, "vague_items", **filters.params())
