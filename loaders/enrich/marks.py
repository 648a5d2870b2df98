"""Bookkeeping shared by the steps that derive values from each incident's text (mentions,
taxonomy): which version of an incident a step last worked on, and with which settings.

A re-loaded document gets a new `loaded_at`, and a changed catalog or taxonomy a new
fingerprint, so the incidents to (re)do are the ones without a mark for both: an unchanged
re-sync does one anti-join and nothing else. Also the provenance writes both steps share.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from loaders import store

# What steps read, column -> the name provenance gives it. Mentions: the fields SPEC §4.5
# names. Categories also read the contributing factors, where a cause is most often written.
MENTION_FIELDS = {"title": "title", "summary": "summary", "customer_impact": "impact",
                  "root_cause": "root cause"}  # fmt: skip
TAXONOMY_FIELDS = {**MENTION_FIELDS, "contributing_factors": "contributing factors"}
TEXT_FIELDS = TAXONOMY_FIELDS  # every column `pending` reads


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def pending(conn: duckdb.DuckDBPyConnection, step: str, fingerprint: str) -> pd.DataFrame:
    """Incidents this step has not worked on in their current version with these settings:
    incident_id, loaded_at and the text fields. Marks of vanished incidents are dropped."""
    conn.execute(
        "delete from enrichment_marks m where m.step = ? and not exists "
        "(select 1 from incidents i where i.incident_id = m.incident_id)",
        [step],
    )
    return conn.execute(
        f"""select i.incident_id, i.loaded_at, {", ".join(f"i.{f}" for f in TEXT_FIELDS)}
        from incidents i
        where not exists (
            select 1 from enrichment_marks m
            where m.step = ? and m.incident_id = i.incident_id
              and m.loaded_at = i.loaded_at and m.fingerprint = ?)
        order by i.incident_id""",  # column names are this module's constants
        [step, fingerprint],
    ).df()


def mark(conn: duckdb.DuckDBPyConnection, step: str, fingerprint: str, done: pd.DataFrame) -> None:
    """Record that `done` (incident_id, loaded_at) is worked on with these settings."""
    if done.empty:
        return
    conn.register("done_incidents", done[["incident_id", "loaded_at"]])
    try:
        conn.execute(
            "delete from enrichment_marks where step = ? "
            "and incident_id in (select incident_id from done_incidents)",
            [step],
        )
        conn.execute(
            "insert into enrichment_marks select ?, incident_id, loaded_at, ? from done_incidents",
            [step, fingerprint],
        )
    finally:
        conn.unregister("done_incidents")


def unstated_texts(
    conn: duckdb.DuckDBPyConnection, todo: pd.DataFrame, derived: Derived
) -> Iterator[tuple[str, dict[str, str | None]]]:
    """(incident_id, {text field: text}) of the pending incidents that state no value of
    the kind this step derives: a stated value is never overwritten."""
    has_stated = stated(conn, derived.table, derived.field)
    for row in todo.itertuples(index=False):
        iid = str(row.incident_id)
        if iid not in has_stated:
            texts = {name: getattr(row, column) for column, name in derived.text_fields.items()}
            yield iid, {k: v if isinstance(v, str) else None for k, v in texts.items()}


def stated(conn: duckdb.DuckDBPyConnection, table: str, field: str) -> set[str]:
    """Incidents whose document states a value of this link table, including stated rows the
    curation step has set aside while a person's choice stands in for them."""
    rows = conn.execute(
        f"""select incident_id from {table} where basis = 'stated'
        union
        select s.incident_id from curation_stash s join incidents i using (incident_id)
        where s.field = ? and s.basis = 'stated' and s.loaded_at = i.loaded_at""",  # table is a constant of the caller
        [field],
    ).fetchall()
    return {r[0] for r in rows}


@dataclass(frozen=True, slots=True)
class Derived:
    """Where a step's values go: the link table and its columns, the basis, and the
    provenance key that holds the words matched."""

    table: str
    columns: tuple[str, ...]
    field: str  # as in curation_stash.field
    basis: str
    provenance_key: str
    text_fields: dict[str, str]  # the columns it reads


MENTIONED = Derived("incident_services", store.SERVICE_COLUMNS, "service", "mentioned",
                    "services_mentioned", MENTION_FIELDS)  # fmt: skip
INFERRED = Derived("incident_categories", store.CATEGORY_COLUMNS, "category", "inferred",
                   "categories_inferred", TAXONOMY_FIELDS)  # fmt: skip


def save(
    conn: duckdb.DuckDBPyConnection,
    step: str,
    settings: str,
    todo: pd.DataFrame,
    derived: Derived,
    values: dict[str, list[tuple[str, str]]],
    described: dict[str, str],
) -> None:
    """Swap the `todo` incidents' rows of this basis for `values` (incident_id -> [(value,
    raw)]), wherever the old rows sit (the link table, or set aside by the curation step);
    write their provenance (`described`; none = the key goes) and mark them done."""
    ids = todo["incident_id"].tolist()
    if ids:
        conn.register("redone_ids", pd.DataFrame({"incident_id": ids}))
        try:
            conn.execute(
                f"delete from {derived.table} where basis = ? "  # a constant
                "and incident_id in (select incident_id from redone_ids)",
                [derived.basis],
            )
            conn.execute(
                "delete from curation_stash where field = ? and basis = ? "
                "and incident_id in (select incident_id from redone_ids)",
                [derived.field, derived.basis],
            )
        finally:
            conn.unregister("redone_ids")
    rows = [
        (iid, value, raw, derived.basis) for iid, pairs in values.items() for value, raw in pairs
    ]
    store.append_rows(conn, derived.table, derived.columns, rows)
    set_provenance(conn, derived.provenance_key, {iid: described.get(iid) for iid in ids})
    mark(conn, step, settings, todo)


def set_provenance(
    conn: duckdb.DuckDBPyConnection, key: str, values: dict[str, str | None]
) -> None:
    """Set (or, for None, remove) one provenance key of each incident in `values`."""
    if not values:
        return
    frame = pd.DataFrame({"incident_id": list(values), "text": list(values.values())})
    conn.register("provenance_patches", frame)
    try:
        conn.execute(
            """update incidents set provenance = json_merge_patch(
                   coalesce(incidents.provenance, '{}'::json), json_object(?, p.text))
               from provenance_patches p where incidents.incident_id = p.incident_id""",
            [key],
        )
    finally:
        conn.unregister("provenance_patches")
