"""The curation step: apply the curation file (loaders/enrich/curation.py) over every other
basis, last of the steps, at every sync.

What a curated value replaces is set aside in `curation_stash` rather than deleted, with the
incident version (`loaded_at`) it belongs to. Every run first puts back what the last run set
aside (when the document was re-loaded since, its fresh rows already stand and the stale
ones are dropped), then applies the file as it is now. So removing an entry restores the
document's values without re-reading the document, and curated incidents are few, so doing
it all again each sync stays cheap.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from loaders import store
from loaders.config import Config
from loaders.enrich import StepOutcome
from loaders.enrich.curation import Curated, read_curation
from loaders.enrich.marks import set_provenance
from loaders.normalize import Normalizer

# curated field -> (link table, its value column)
LINKS = {
    "services": ("incident_services", "service"),
    "categories": ("incident_categories", "category"),
}


class CurationStep:
    name = "curation"

    def __init__(self, config: Config) -> None:
        self.config = config

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> StepOutcome:
        path = self.config.curation_file
        entries, problems = read_curation(path, Normalizer(self.config))
        restore(conn)
        loaded = dict(conn.execute("select incident_id, loaded_at from incidents").fetchall())
        unknown = sorted(set(entries) - set(loaded))
        warnings = [(str(path), p) for p in problems]
        warnings += [(str(path), f"{iid}: no incident has this id; the entry is kept but "
                      "applies to nothing") for iid in unknown]  # fmt: skip
        applied = {iid: c for iid, c in entries.items() if iid in loaded}
        _apply(conn, applied, loaded)
        set_provenance(conn, "curated", {
            iid: f"{', '.join(c.fields())} ({path.name})" for iid, c in applied.items()
        })  # fmt: skip
        return StepOutcome(f"{len(applied)} incidents curated in {path}", warnings)


def restore(conn: duckdb.DuckDBPyConnection) -> None:
    """Undo the last run: drop curated rows, put back what they replaced (for the incident
    versions still stored), and forget the rest."""
    current = "join incidents i on i.incident_id = s.incident_id and i.loaded_at = s.loaded_at"
    # Table and column names are this module's constants (LINKS), never input; values are
    # parameters.
    for table, field in LINKS.values():
        conn.execute(f"delete from {table} where basis = 'curated'")  # constants
        conn.execute(
            f"insert into {table} (incident_id, {field}, {field}_raw, basis) "  # constants
            "select s.incident_id, s.value, s.raw, s.basis "
            f"from curation_stash s {current} where s.field = ?",
            [field],
        )
    for field, columns in (("severity", "severity = s.value, severity_rank = s.rank"),
                           ("kind", "kind = s.value")):  # fmt: skip
        conn.execute(
            f"update incidents set {columns} from curation_stash s "  # constants
            "where s.incident_id = incidents.incident_id and s.loaded_at = incidents.loaded_at "
            "and s.field = ?",
            [field],
        )
    conn.execute("delete from curation_stash")
    conn.execute(
        "update incidents set provenance = json_merge_patch(provenance, json_object('curated', null)) "
        "where json_exists(provenance, '$.curated')"
    )


Stash = tuple[str, datetime, str, str | None, str | None, str | None, int | None]
STASH_COLUMNS = ("incident_id", "loaded_at", "field", "value", "raw", "basis", "rank")


def _apply(
    conn: duckdb.DuckDBPyConnection, entries: dict[str, Curated], loaded: dict[str, datetime]
) -> None:
    """Set the curated values, setting aside in `curation_stash` what each replaces."""
    stash: list[Stash] = []
    for name, (table, field) in LINKS.items():
        chosen = {
            iid: getattr(c, name) for iid, c in entries.items() if getattr(c, name) is not None
        }
        if chosen:
            stash += _replace_links(conn, table, field, chosen, loaded)
    fields = conn.execute(
        "select incident_id, severity, severity_rank, kind from incidents "
        "where incident_id in (select unnest(?::varchar[]))",
        [list(entries)],
    ).fetchall()
    for iid, severity, rank, kind in fields:
        curated = entries[iid]
        if curated.severity is not None:
            stash.append((iid, loaded[iid], "severity", severity, None, None, rank))
            conn.execute(
                "update incidents set severity = ?, severity_rank = ? where incident_id = ?",
                [curated.severity, curated.severity_rank, iid],
            )
        if curated.kind is not None:
            stash.append((iid, loaded[iid], "kind", kind, None, None, None))
            conn.execute("update incidents set kind = ? where incident_id = ?", [curated.kind, iid])
    store.append_rows(conn, "curation_stash", STASH_COLUMNS, stash)


def _replace_links(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    field: str,
    chosen: dict[str, list[str]],
    loaded: dict[str, datetime],
) -> list[Stash]:
    """Swap the link rows of each chosen incident for its curated values; return the old."""
    ids = list(chosen)
    # Table and column names are this module's constants (LINKS), never input.
    old = conn.execute(
        f"select incident_id, {field}, {field}_raw, basis from {table} "  # constants
        "where incident_id in (select unnest(?::varchar[]))",
        [ids],
    ).fetchall()
    conn.execute(
        f"delete from {table} where incident_id in (select unnest(?::varchar[]))",
        [ids],
    )
    columns = store.SERVICE_COLUMNS if field == "service" else store.CATEGORY_COLUMNS
    rows = [(iid, value, value, "curated") for iid, values in chosen.items() for value in values]
    store.append_rows(conn, table, columns, rows)
    return [(iid, loaded[iid], field, value, raw, basis, None) for iid, value, raw, basis in old]
