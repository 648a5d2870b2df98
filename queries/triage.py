"""Triage (SPEC §7 Triage, §8 `pmdash triage`): the incidents a person still has to decide
on, the choices to offer, and what an edited copy of the table asks the curation file to say.

The table is one shape everywhere: the page's editor, the CSV of `pmdash triage --out`, and
the copy `--apply` reads back. Only the fields a person changed become curated, so a value
left as pmdash found it keeps following the documents, the catalog and the taxonomy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pandas as pd

from queries.export import FORMULA_STARTS
from queries.filters import Filters
from queries.runner import run

EDITABLE = ("severity", "services", "categories", "kind")
LIST_FIELDS = ("services", "categories")
CSV_SEPARATOR = ", "  # inside a cell of services or categories


def table(
    conn: duckdb.DuckDBPyConnection, filters: Filters, *, pending_only: bool = True
) -> pd.DataFrame:
    """incident_id, title, incident_date, source, severity, services (list), services_basis,
    categories (list), categories_basis, kind. `pending_only=False`: every selected incident."""
    frame = run(conn, "triage", **filters.params(), pending_only=pending_only)
    for field in LIST_FIELDS:
        frame[field] = frame[field].map(lambda v: [str(x) for x in v] if v is not None else [])
    return frame


def choices(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`field` (service | category), `value`: what the editor offers besides the levels."""
    return run(conn, "triage_choices")


def as_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its lists written as `a, b` cells, for a spreadsheet."""
    out = frame.copy()
    for field in LIST_FIELDS:
        out[field] = out[field].map(CSV_SEPARATOR.join)
    return out


def from_csv_cell(value: object) -> list[str]:
    text = _text(value)
    return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()] if text else []


def _text(value: object) -> str | None:
    """A cell as text; None when empty. Undoes the apostrophe the CSV export puts before
    text a spreadsheet would take for a formula (queries/export.py)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text or None


def changes(
    before: Iterable[Mapping[Any, Any]], after: Iterable[Mapping[Any, Any]]
) -> dict[str, dict[str, Any]]:
    """incident_id -> {field: new value} for each editable field a person changed.

    Lists compare as sets (order is not a decision). An emptied severity or kind is no
    decision (the curation file cannot say "no severity"); an emptied list is: none.
    """
    known = {str(row["incident_id"]): row for row in before}
    updates: dict[str, dict[str, Any]] = {}
    for row in after:
        iid = str(row["incident_id"])
        old = known.get(iid)
        if old is None:
            continue
        for field in EDITABLE:
            new_value, old_value = _plain(field, row.get(field)), _plain(field, old.get(field))
            if field in LIST_FIELDS:
                if set(new_value) != set(old_value):
                    updates.setdefault(iid, {})[field] = sorted(set(new_value))
            elif new_value and new_value != old_value:
                updates.setdefault(iid, {})[field] = new_value
    return updates


def _plain(field: str, value: object) -> Any:
    """A cell of the editor (lists) or of a CSV (text) as a comparable value."""
    if field not in LIST_FIELDS:
        return _text(value)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return from_csv_cell(value)
