"""Incident counts, lists and one incident's detail (SPEC §6 counts, §7 Overview, Incidents).

Functions take a connection, the filters and plain values, and return DataFrames whose
column names and order are the CSV contract of the matching chart or table.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd

from queries.filters import BASES, Filters
from queries.runner import run
from queries.values import missing

COUNT_DIMENSIONS = ("severity", "service", "category", "source", "team")
PERIODS = ("month", "quarter")


def filter_options(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`filter`, `value`: what each sidebar filter can offer, from the store."""
    return run(conn, "filter_options")[["filter", "value"]]


def date_bounds(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return run(conn, "date_bounds")


def field_counts(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.Series:
    """How many selected incidents name a service, a category, both, a date, a duration."""
    return run(conn, "field_counts", **filters.params()).iloc[0]


def totals(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "incident_totals", **filters.params())


def over_time(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, by: str, period: str
) -> pd.DataFrame:
    """Incidents per period (`month` | `quarter`) and `by` (severity, service, category, source,
    or team: the catalog's owner of the incident's services)."""
    if by not in COUNT_DIMENSIONS or period not in PERIODS:
        raise ValueError(f"by must be one of {COUNT_DIMENSIONS}, period one of {PERIODS}")
    frame = run(conn, f"incidents_by_{by}", **filters.params(), period=period)
    frame.insert(0, "period", frame["period_start"].map(lambda d: _period_label(d, period)))
    return frame.drop(columns=["severity_rank"], errors="ignore")


def _period_label(start: pd.Timestamp, period: str) -> str:
    if period == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def top(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, by: str, limit: int = 10
) -> pd.DataFrame:
    if by not in ("service", "category"):
        raise ValueError("by must be service or category")
    name = "top_services" if by == "service" else "top_categories"
    return run(conn, name, **filters.params(), limit=limit)


def basis_mix(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`field` (service | category), `basis`, `links`: how the selection's values were found."""
    return run(conn, "basis_mix", **filters.params())


def describe_mix(mix: pd.DataFrame, field: str, bases: tuple[str, ...] = BASES) -> str:
    """ "62 stated, 140 mentioned, 30 inferred, 8 curated" for one field; the bases the
    switch leaves out are named as not counted."""
    counts = dict(zip(mix.loc[mix["field"] == field, "basis"], mix.loc[mix["field"] == field, "links"], strict=True))  # fmt: skip
    parts = [f"{counts[b]} {b}" + ("" if b in bases else " (not counted)") for b in BASES if b in counts]  # fmt: skip
    return ", ".join(parts) if parts else "none"


def latest(conn: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int = 10) -> pd.DataFrame:
    return run(conn, "latest_postmortems", **filters.params(), limit=limit)


def table(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "incident_table", **filters.params())


def severe(conn: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return run(conn, "severe_incidents", **filters.params())


def detail(conn: duckdb.DuckDBPyConnection, incident_id: str) -> pd.DataFrame:
    return run(conn, "incident_detail", incident_id=incident_id)


DETAIL_FIELDS = (
    "title", "incident_date", "started_at", "detected_at", "resolved_at", "published_at",
    "severity", "severity_raw", "status", "kind", "services", "categories", "tags",
    "time_to_detect_minutes", "time_to_recover_minutes", "summary", "root_cause",
    "customer_impact", "source_name", "source_kind", "source_id", "source_updated_at",
    "loaded_at",
)  # fmt: skip


def fields_with_provenance(detail_frame: pd.DataFrame) -> pd.DataFrame:
    """One row per field of an incident: its value as text and where the loader found it."""
    if detail_frame.empty:
        return pd.DataFrame(columns=["field", "value", "found_in"])
    row = detail_frame.iloc[0]
    raw = row.get("provenance")
    provenance = json.loads(raw) if isinstance(raw, str) and raw else {}
    rows = []
    for name in DETAIL_FIELDS:
        value = row.get(name)
        rows.append(
            {"field": name, "value": _as_text(value), "found_in": _found_in(provenance, name)}
        )
    return pd.DataFrame(rows, columns=["field", "value", "found_in"])


# What the enrichment steps (loaders/enrich/) add to a field's provenance.
DERIVED_PROVENANCE = {"services": "services_mentioned", "categories": "categories_inferred"}


def _found_in(provenance: dict[str, str], name: str) -> str:
    """Where the document put the field, then what the catalog, the taxonomy or a person
    (the curation file: `severity, services (pmdash-curation.yaml)`) added."""
    parts = [provenance.get(name, "")]
    derived = provenance.get(DERIVED_PROVENANCE.get(name, ""))
    if derived:
        parts.append(("mentioned: " if name == "services" else "inferred: ") + derived)
    curated = provenance.get("curated", "")
    fields, _, origin = curated.partition(" (")
    if name in fields.split(", "):
        parts.append(f"curated in {origin.rstrip(')')}")
    return "; ".join(p for p in parts if p)


def _as_text(value: object) -> str:
    if isinstance(value, np.ndarray | list | tuple):
        return ", ".join(str(v) for v in value)
    if missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def action_items(conn: duckdb.DuckDBPyConnection, incident_id: str) -> pd.DataFrame:
    return run(conn, "incident_action_items", incident_id=incident_id)


def related(
    conn: duckdb.DuckDBPyConnection, incident_id: str, *, window_days: int, filters: Filters
) -> pd.DataFrame:
    """Incidents sharing a service or category that began within the window either side."""
    return run(
        conn,
        "related_incidents",
        incident_id=incident_id,
        window_days=window_days,
        kinds=filters.params()["kinds"],
        bases=filters.params()["bases"],
    )
