"""Where the dashboard's data comes from: the config, the store, and cached query results.

The store is found like every pmdash command finds it: `$PMDASH_DB`, else the config's
`[store] path`, else data/pmdash.duckdb (`pmdash serve --db` sets `$PMDASH_DB`). It is
opened read-only, once per version of the file: a sync swaps in a new file, so the cached
connection and every cached result are keyed on the file's inode, mtime and size, and the
next rerun after a sync reads the new data.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from loaders.config import Config, load_config, store_location
from loaders.store import connect_read_only, is_file_store
from queries import tables
from queries.tables import View

if TYPE_CHECKING:  # pages reach DuckDB only through queries/ and loaders/
    import duckdb


def config() -> Config:
    return load_config(None)


def store_path() -> str:
    return store_location(None, config())


def store_version(db: str) -> tuple[int, int, int] | None:
    """Identity of the store file now; None for a missing file or a non-file store."""
    if not is_file_store(db):
        return None
    try:
        stat = os.stat(db)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


# What DuckDB may hold in memory for the dashboard's queries: DuckDB's default is 80% of the
# machine's memory, and the buffers it keeps stay in the server process. At 100,000
# incidents every page fits (queries that need more spill to disk); the process rendering
# every page once peaked at 643 MB without it, 547 MB with it (SPEC §9 P5: 600 MB).
DUCKDB_MEMORY = "256MB"


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(db: str, version: tuple[int, int, int] | None) -> duckdb.DuckDBPyConnection:
    # `version` is part of the cache key only: a new store file means a new connection.
    return connect_read_only(db, memory_limit=DUCKDB_MEMORY)


def connection() -> duckdb.DuckDBPyConnection:
    db = store_path()
    return _connection(db, store_version(db))


@st.cache_data(ttl="10m", max_entries=256, show_spinner=False)
def _table(db: str, version: tuple[int, int, int] | None, name: str, view: View) -> pd.DataFrame:
    # Marked for its CSV (widgets.csv_button), as tables.first_rows marks its frames.
    return tables.mark(tables.table(_connection(db, version), name, view), name, view)


def table(name: str, view: View) -> pd.DataFrame:
    """One of the exportable tables (queries/tables.py) for this view, cached."""
    db = store_path()
    return _table(db, store_version(db), name, view)


@st.cache_data(ttl="10m", max_entries=256, show_spinner=False)
def _first_rows(
    db: str, version: tuple[int, int, int] | None, name: str, view: View
) -> pd.DataFrame:
    return tables.first_rows(_connection(db, version), name, view)


def first_rows(name: str, view: View) -> pd.DataFrame:
    """The first rows of one of the long tables (queries/tables.LONG) for this view, cached;
    `tables.rows_in_all` says how many rows the whole table has. Only those rows reach the
    browser and the cache; the CSV asks for every row when it is downloaded (`table_csv`)."""
    db = store_path()
    return _first_rows(db, store_version(db), name, view)


def table_csv(name: str, view: View) -> bytes:
    """The CSV of a table, every row, as `pmdash export NAME` writes it (tables.write_csv:
    DuckDB writes it from the table's query). Not cached: made only when its download button
    is clicked."""
    db = store_path()
    return tables.csv_bytes(_connection(db, store_version(db)), name, view)


@st.cache_data(ttl="10m", max_entries=256, show_spinner=False)
def _call(
    db: str,
    version: tuple[int, int, int] | None,
    module: str,
    name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
) -> Any:
    function = getattr(importlib.import_module(module), name)
    return function(_connection(db, version), *args, **dict(kwargs))


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`function(connection, *args, **kwargs)` from queries/, cached per store version.

    The cache key names the function by module and name: Streamlit cannot hash functions.
    """
    db = store_path()
    key = (function.__module__, function.__qualname__)
    return _call(db, store_version(db), *key, args, tuple(sorted(kwargs.items())))


def today() -> date:
    return date.today()
