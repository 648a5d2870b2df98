"""The DuckDB store (SPEC §3): schema, the atomic writer, and writing records.

Readers (the dashboard) hold read-only connections while `pmdash sync` runs in another
process, and DuckDB lets only one process open a file for writing. So a sync never writes the
live file: it copies it, writes the copy, and swaps it in with `os.replace`, which readers see
as one step. A lock file makes a second sync wait, then refuse with a clear message.
`:memory:` and `md:` stores are written in place.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from loaders.model import KnownDocument, PostMortem, SourceError

SCHEMA = """
create table if not exists incidents (
    incident_id varchar primary key,
    source_name varchar not null,
    source_kind varchar not null,
    source_id varchar not null,
    source_url varchar,
    title varchar,
    incident_date date,
    started_at timestamp,
    detected_at timestamp,
    resolved_at timestamp,
    published_at timestamp,
    severity varchar,
    severity_rank integer,
    severity_raw varchar,
    status varchar,
    kind varchar,
    summary varchar,
    root_cause varchar,
    customer_impact varchar,
    time_to_detect_minutes double,
    time_to_recover_minutes double,
    sections varchar[],
    provenance json,
    content_hash varchar,
    source_updated_at timestamp,
    loaded_at timestamp not null
);
create table if not exists incident_services (
    incident_id varchar not null, service varchar not null, service_raw varchar
);
create table if not exists incident_categories (
    incident_id varchar not null, category varchar not null, category_raw varchar
);
-- How each service or category was found (SPEC §4.5): stated, mentioned, inferred, curated.
-- Added by ALTER so stores written before it gain the column on their next sync.
alter table incident_services add column if not exists basis varchar default 'stated';
alter table incident_categories add column if not exists basis varchar default 'stated';
-- The known services (SPEC §4.5), rewritten by the catalog step (loaders/enrich/services.py).
create table if not exists service_catalog (
    service varchar primary key,
    aliases varchar[],
    owner varchar,
    system varchar,
    origin varchar not null
);
-- Bookkeeping of the enrichment steps, not part of the public contract: which incident
-- version (loaded_at) a step last worked on with which settings, so an unchanged re-sync
-- redoes nothing; and what the curation step replaced, so removing a curation entry
-- restores the document's values.
create table if not exists enrichment_marks (
    step varchar not null, incident_id varchar not null, loaded_at timestamp, fingerprint varchar
);
create table if not exists curation_stash (
    incident_id varchar not null,
    loaded_at timestamp,
    field varchar not null,
    value varchar,
    raw varchar,
    basis varchar,
    rank integer
);
create table if not exists incident_tags (incident_id varchar not null, tag varchar not null);
create table if not exists action_items (
    action_item_id varchar primary key,
    incident_id varchar not null,
    position integer not null,
    title varchar,
    owner varchar,
    due_date date,
    status varchar not null,
    status_raw varchar,
    status_basis varchar not null,
    closed_at timestamp,
    ticket varchar,
    ticket_url varchar,
    created_at timestamp,
    tracker_status varchar,
    tracker_closed_at timestamp,
    tracker_owner varchar,
    tracker_due_date date,
    tracker_state varchar
);
-- Trackers (SPEC §4.4, loaders/trackers/): which tracker a ticket belongs to and when it was
-- asked; the document's own values, kept when the tracker's replace them (status_basis
-- 'tracker'); and each tracker's last answer per ticket, so an unchanged ticket is not asked
-- again on every sync. Added by ALTER so older stores gain the columns on their next sync.
alter table action_items add column if not exists tracker_kind varchar;
alter table action_items add column if not exists tracker_checked_at timestamp;
alter table action_items add column if not exists document_status varchar;
alter table action_items add column if not exists document_status_basis varchar;
alter table action_items add column if not exists document_owner varchar;
alter table action_items add column if not exists document_due_date date;
alter table action_items add column if not exists document_closed_at timestamp;
create table if not exists tracker_tickets (
    tracker_kind varchar not null,
    ticket varchar not null,
    state varchar not null,
    status varchar,
    status_detail varchar,
    closed_at timestamp,
    owner varchar,
    due_date date,
    url varchar,
    updated_at timestamp,
    etag varchar,
    checked_at timestamp,
    primary key (tracker_kind, ticket)
);
create table if not exists tracker_lookups (
    tracker_kind varchar not null,
    looked_up_at timestamp not null,
    tickets integer,
    asked integer,
    requests integer,
    stopped varchar,
    resets_at timestamp
);
create table if not exists sync_runs (
    sync_id varchar primary key,
    source_name varchar not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,
    documents_seen integer default 0,
    documents_loaded integer default 0,
    documents_unchanged integer default 0,
    documents_skipped integer default 0,
    documents_failed integer default 0,
    message varchar
);
create table if not exists load_errors (
    sync_id varchar not null,
    source_name varchar not null,
    document varchar not null,
    severity varchar not null,
    message varchar not null
);
-- Stores written before the column existed gain it; their documents fill it when re-read.
alter table incidents add column if not exists contributing_factors varchar;
-- Similar incidents and themes (SPEC §3, §6), written by loaders.enrich.similarity.
-- `group_id` names the group of incidents linked by similarity, directly or through each
-- other: the value of the `similar` repeat dimension.
create table if not exists similar_incidents (
    incident_id varchar not null,
    similar_incident_id varchar not null,
    similarity double not null,
    shared_terms varchar[] not null,
    group_id varchar not null
);
create table if not exists themes (
    theme_id integer primary key,
    label varchar not null,
    terms varchar[] not null,
    incidents integer not null
);
create table if not exists incident_themes (
    incident_id varchar not null, theme_id integer not null, weight double not null
);
-- What each enrichment step last computed from, so an unchanged sync recomputes nothing.
create table if not exists enrichment_state (step varchar primary key, fingerprint varchar not null);
-- What the dashboard would otherwise work out on every view, kept by the last step of a sync
-- (loaders/enrich/dashboard_facts.py): each incident's action items by status, and the
-- action items whose title is vague (loaders/hygiene.py), with the reason.
create table if not exists incident_item_counts (
    incident_id varchar primary key,
    items bigint not null,
    done bigint not null,
    open bigint not null,
    in_progress bigint not null,
    wont_do bigint not null,
    unknown bigint not null,
    -- until when an item stayed not done (open / in_progress: 'infinity'; done: closed_at)
    pending_until timestamp,
    -- the last closed_at when every item is done with one; NULL otherwise
    fixed_at timestamp,
    -- its items that can be still not done at a later time, by title, each with until when
    -- ('infinity' while open or in progress, else closed_at): déjà vu lists those of an
    -- earlier incident not done when a repeat began
    pending_items struct(title varchar, open_until timestamp)[]
);
create table if not exists vague_action_items (
    action_item_id varchar primary key, incident_id varchar not null, reason varchar not null
);
-- Each action item with what the Action items page filters and counts it by, worked out
-- once per sync so a page query reads one table and needs no join (dashboard_facts.py):
-- its incident's filter columns, its effective status, and per-item results that depend on
-- the item and its incident only. Overdue depends on the day it is judged at, so it is kept
-- as the days it is overdue on: overdue_from <= day < overdue_until.
create table if not exists action_item_facts (
    -- the vague-item list's order (newest incident first, then id), in which rows are stored
    item_no bigint not null,
    action_item_id varchar not null,
    incident_id varchar not null,
    incident_date date,
    severity varchar not null,  -- 'unrated' when the document states none
    source varchar not null,
    kind varchar not null,  -- 'incident' when the document states none
    -- its incident's services and categories with how each was found (incident_services,
    -- incident_categories), for the sidebar's filters and basis switch without a join
    services struct(service varchar, basis varchar)[] not null,
    categories struct(category varchar, basis varchar)[] not null,
    status varchar not null,
    status_basis varchar not null,
    owner varchar,
    due_date date,
    titled boolean not null,
    opened_on date,  -- the item's created_at, else its incident's date
    opened_quarter varchar,  -- '2026Q2', of opened_on
    closed_on date,  -- the day of closed_at
    days_to_close integer,  -- done items with closed_at: days from opened_on to closed
    on_time boolean,  -- done items with closed_at and due_date: closed by the due date
    overdue_from date,
    overdue_until date,  -- 'infinity' while open or in progress
    has_ticket boolean not null,  -- names a ticket key
    has_ticket_or_url boolean not null,  -- a ticket key or a link
    asked_a_tracker boolean not null,
    drift varchar,  -- how document and tracker disagree (action_item_drift.sql); NULL if not
    drift_rank bigint,  -- the drift table's order, over all items
    due_rank bigint,  -- the overdue list's order: due date, then id
    vague_reason varchar,  -- vague_action_items.reason
    -- What the page's lists of items show beside them (action_items, incidents): a list
    -- then reads one table, and only for the rows it shows.
    title varchar,
    ticket varchar,
    ticket_url varchar,
    tracker_kind varchar,
    document_status varchar,
    tracker_status varchar,
    tracker_checked_at timestamp,
    incident_title varchar,
    incident_url varchar  -- the incident's source_url
);
-- Each dated incident with each value of each repeat dimension, and per class of incidents
-- (kind, bases) with the same value the latest that began before it
-- (loaders/enrich/recurrence_facts.py).
create table if not exists incident_recurrence (
    dim varchar not null,  -- service | category | service_category | similar
    value varchar not null,
    service varchar,
    category varchar,
    incident_id varchar not null,
    began_at timestamp not null,
    kind varchar not null,
    service_basis varchar,
    category_basis varchar,
    earlier struct(kind varchar, service_basis varchar, category_basis varchar,
                   began_at timestamp, incident_id varchar)[] not null,
    -- per class, the incident in the window before it whose items stayed not done longest,
    -- while they still were not done when it began (déjà vu), for the sync's window
    pending_earlier struct(kind varchar, service_basis varchar, category_basis varchar,
                           until timestamp, began_at timestamp, incident_id varchar)[] not null,
    deja_vu_window_days integer not null,
    -- numbers that order the rows as (dim, value), and the rows of a value as (began_at,
    -- incident_id): the recurring-pattern windows sort these integers, not the strings
    value_no bigint,
    seq bigint,
    -- what `earlier` and `pending_earlier` give for the sidebar's default selection
    -- (incidents, every basis): the latest earlier one's start, and the pending one
    default_earlier_at timestamp,
    default_pending struct(until timestamp, began_at timestamp, incident_id varchar),
    -- for an incident whose action items are all done: the first incident of the default
    -- selection with the same value that began after the last closed (Fix held?)
    default_next struct(began_at timestamp, incident_id varchar),
    -- recurring patterns of the default selection with no other filter, for the sync's
    -- window and threshold (`pattern_threshold`): for a row in one, how many of its value's
    -- rows in a pattern began in the window that starts with it; NULL when in none
    default_pattern_window integer,
    pattern_threshold integer
);
-- Each incident's values the sidebar filters on, flat (loaders/enrich/incident_facts.py):
-- its services and categories as one list per basis, so a query needs no join to filter.
create table if not exists incident_facts (
    incident_id varchar primary key,
    title varchar,
    url varchar,  -- source_url when it is a web link (http, https), else NULL
    status varchar,
    incident_date date,
    began_at timestamp,  -- started_at, else the date
    severity varchar,
    severity_rank integer,
    severity_basis varchar,  -- stated | curated (named in provenance.curated); NULL: none
    source_name varchar not null,
    kind varchar not null,  -- 'incident' when the document states none
    services_stated varchar[] not null,
    services_mentioned varchar[] not null,
    services_inferred varchar[] not null,
    services_curated varchar[] not null,
    categories_stated varchar[] not null,
    categories_mentioned varchar[] not null,
    categories_inferred varchar[] not null,
    categories_curated varchar[] not null,
    -- which of those lists hold a value, as bits (1 stated, 2 mentioned, 4 inferred,
    -- 8 curated): "names a service the basis switch counts" without reading the lists
    service_bases utinyint not null,
    category_bases utinyint not null,
    has_similar boolean not null,  -- in similar_incidents
    time_to_detect_minutes double,
    time_to_recover_minutes double,
    sections varchar[]  -- the post-mortem sections it has, as in incidents
);
-- The values the sidebar's filters offer (loaders/enrich/incident_facts.py): each severity
-- ('unrated' for none; `sort_key`, most severe first), service, category and source the
-- store holds.
create table if not exists filter_values (
    filter varchar not null,  -- severity | service | category | source
    value varchar not null,
    sort_key integer not null  -- the severity's rank ('unrated' last); 0 for the others
);
"""

INCIDENT_COLUMNS = (
    "incident_id", "source_name", "source_kind", "source_id", "source_url", "title",
    "incident_date", "started_at", "detected_at", "resolved_at", "published_at", "severity",
    "severity_rank", "severity_raw", "status", "kind", "summary", "root_cause",
    "contributing_factors", "customer_impact", "time_to_detect_minutes", "time_to_recover_minutes", "sections",
    "provenance", "content_hash", "source_updated_at", "loaded_at",
)  # fmt: skip
ACTION_ITEM_COLUMNS = (
    "action_item_id", "incident_id", "position", "title", "owner", "due_date", "status",
    "status_raw", "status_basis", "closed_at", "ticket", "ticket_url", "created_at",
)  # fmt: skip
SERVICE_COLUMNS = ("incident_id", "service", "service_raw", "basis")
CATEGORY_COLUMNS = ("incident_id", "category", "category_raw", "basis")
CHILD_TABLES = ("incident_services", "incident_categories", "incident_tags", "action_items")
TABLES = (
    "incidents", *CHILD_TABLES, "sync_runs", "load_errors",
    "service_catalog", "enrichment_marks", "curation_stash",
    "similar_incidents", "themes", "incident_themes", "enrichment_state",
    "tracker_tickets", "tracker_lookups", "incident_item_counts", "vague_action_items",
    "action_item_facts", "incident_recurrence", "incident_facts", "filter_values",
)  # fmt: skip
# Tables the dashboard facts step (loaders/enrich/dashboard_facts.py) rewrites whole on
# every sync that changed its inputs.
DERIVED = ("incident_item_counts", "vague_action_items", "action_item_facts",
           "incident_recurrence", "incident_facts", "filter_values")  # fmt: skip
LOCK_WAIT_SECONDS = 30.0


def is_file_store(db: str) -> bool:
    return not (db.startswith(":") or db.startswith("md:") or db.startswith("motherduck:"))


class StoreError(SourceError):
    """The store cannot be used as it is. `title` says what is wrong, `db` which store, and
    `fix` the command (or step) that mends it; the message holds all three on one line."""

    def __init__(self, title: str, db: str, detail: str, fix: str) -> None:
        super().__init__(f"{db}: {detail} {fix}", title=title)
        self.db, self.detail, self.fix = db, detail, fix


@cache
def expected_columns() -> dict[str, dict[str, str]]:
    """table -> column -> type, as SCHEMA creates them: what this pmdash reads and writes."""
    with duckdb.connect(":memory:") as conn:
        conn.execute(SCHEMA)
        return _columns(conn, "memory")


def _columns(conn: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, dict[str, str]]:
    rows = conn.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'main' order by table_name, ordinal_position",
        [catalog],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, {})[column] = data_type
    return tables


def schema_gaps(conn: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """What the store at `catalog` lacks of SCHEMA: `table x`, `column x.y` (an older pmdash
    wrote it). Compared with SCHEMA itself, so no version number has to be kept in step."""
    have = _columns(conn, catalog)
    gaps = []
    for table, columns in expected_columns().items():
        if table not in have:
            gaps.append(f"table {table}")
            continue
        gaps += [f"column {table}.{c}" for c in columns if c not in have[table]]
    return gaps


def _sync_command(db: str) -> str:
    return f"`pmdash sync --db {db}`"


def _open_error(db: str, error: duckdb.Error) -> StoreError:
    """A StoreError for a store file DuckDB refused to open."""
    text = str(error)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return StoreError(
            "The store is locked by another program", db,
            "another program holds it open for writing (a DuckDB shell, a notebook, an "
            "unfinished sync).", "Close that program, then try again.",
        )  # fmt: skip
    if Path(db).is_file() and Path(db).stat().st_size == 0:
        return StoreError(
            "The store file is empty", db, "the file has 0 bytes.",
            f"Build the store into it with {_sync_command(db)}.",
        )  # fmt: skip
    if "not a valid DuckDB database" in text:
        return StoreError(
            "The store file is not a DuckDB database", db,
            "the file exists but is not a DuckDB database (a wrong --db, or a damaged copy).",
            f"Check the path; to rebuild the store, move the file away (`mv {db} {db}.broken`) "
            f"and run {_sync_command(db)}.",
        )  # fmt: skip
    return StoreError(
        "The store could not be opened", db, f"DuckDB says: {text.splitlines()[0]}",
        f"To rebuild the store, move the file away and run {_sync_command(db)}.",
    )  # fmt: skip


def _check_schema(conn: duckdb.DuckDBPyConnection, catalog: str, db: str) -> list[str]:
    """The schema gaps of a pmdash store; StoreError for a DuckDB database of something else
    (it has tables, none of them pmdash's), which pmdash must neither show nor write into."""
    have = _columns(conn, catalog)
    if have and not set(have) & set(expected_columns()):
        names = ", ".join(sorted(have)[:4])
        raise StoreError(
            "The file is not a pmdash store", db,
            f"it is a DuckDB database of other tables ({names}).",
            "Check the path given to --db (or $PMDASH_DB, or [store] path).",
        )  # fmt: skip
    return schema_gaps(conn, catalog)


def _older_schema(db: str, gaps: list[str]) -> StoreError:
    if len(gaps) == len(expected_columns()) and all(g.startswith("table ") for g in gaps):
        return StoreError("The store has no tables yet", db, "it is a DuckDB database with "
                          "no tables.", f"Build the store with {_sync_command(db)}.")  # fmt: skip
    shown = ", ".join(gaps[:4]) + (f" and {len(gaps) - 4} more" if len(gaps) > 4 else "")
    return StoreError(
        "The store was written by an older pmdash", db, f"it lacks {shown}.",
        f"Bring it up to date with {_sync_command(db)}.",
    )  # fmt: skip


def connect_read_only(db: str, *, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A reader's snapshot of the store; a store that does not exist yet reads as empty.

    DuckDB shares one database instance per path within a process, so a second plain
    `connect(path)` after a sync swapped the file would still read the old one. Attaching the
    file to a fresh in-memory instance gives each reader its own snapshot; views make the
    tables readable by their plain names from every cursor of that connection.

    `memory_limit` (DuckDB's, e.g. "256MB") bounds what its queries hold in memory; beyond
    it they spill to the system's temporary folder rather than DuckDB's default, `.tmp` in
    the working directory.
    """
    config: dict[str, str | bool | int | float | list[str]] = {}
    if memory_limit:
        spill = Path(tempfile.gettempdir()) / "pmdash-duckdb-spill"
        config = {"memory_limit": memory_limit, "temp_directory": str(spill)}
    conn = duckdb.connect(":memory:", config=config)
    if is_file_store(db) and Path(db).is_dir():
        conn.close()
        raise StoreError("The store path is a folder", db, "it names a folder, not a file.",
                         "Give --db the path of a .duckdb file.")  # fmt: skip
    if is_file_store(db) and Path(db).exists():
        # ATTACH takes no parameters: the path is quoted as a SQL literal. Table names below
        # are this module's constants, never input.
        literal = "'" + str(Path(db).resolve()).replace("'", "''") + "'"
        try:
            # TYPE duckdb: DuckDB would take a SQLite file for one and fetch an extension.
            conn.execute(f"attach {literal} as store (type duckdb, read_only)")
        except duckdb.Error as e:
            conn.close()
            raise _open_error(db, e) from None
        try:
            gaps = _check_schema(conn, "store", db)
        except StoreError:
            conn.close()
            raise
        if gaps:
            conn.close()
            raise _older_schema(db, gaps)
        for table in TABLES:
            conn.execute(f"create view {table} as select * from store.main.{table}")
        return conn
    if not is_file_store(db):
        conn.close()
        conn = duckdb.connect(db)
    conn.execute(SCHEMA)
    return conn


@contextmanager
def writer(db: str, *, lock_wait: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection whose work becomes visible to readers only when it ends well."""
    if not is_file_store(db):
        conn = duckdb.connect(db)
        try:
            conn.execute(SCHEMA)
            yield conn
        finally:
            conn.close()
        return

    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(path.with_name(path.name + ".lock"), lock_wait):
        # An empty file holds nothing to keep: the sync builds the store into it.
        existing = path.exists() and not (path.is_file() and path.stat().st_size == 0)
        if existing:
            _check_writable(db)
        scratch = path.with_name(f"{path.name}.sync-{os.getpid()}")
        scratch_conn: duckdb.DuckDBPyConnection | None = None
        try:  # whatever fails from here on, the scratch copy goes
            scratch.unlink(missing_ok=True)
            if existing:
                shutil.copyfile(path, scratch)
            try:
                scratch_conn = duckdb.connect(str(scratch))
            except duckdb.Error as e:
                raise _open_error(db, e) from None
            # No progress bar: DuckDB draws it on stdout for long statements, into the
            # output of `pmdash sync` and the logs of whoever runs it.
            scratch_conn.execute("set enable_progress_bar = false")
            scratch_conn.execute(SCHEMA)
            _upgrade(scratch_conn, db)
            yield scratch_conn
            scratch_conn.execute("checkpoint")
            scratch_conn.close()
            os.replace(scratch, path)
        finally:
            if scratch_conn is not None:
                scratch_conn.close()
            scratch.unlink(missing_ok=True)
            Path(str(scratch) + ".wal").unlink(missing_ok=True)


def _check_writable(db: str) -> None:
    """Refuse a store file that is not a DuckDB database or is held by another writer before
    copying it (older schemas are fine: the sync brings them up to date)."""
    probe = duckdb.connect(":memory:")
    literal = "'" + str(Path(db).resolve()).replace("'", "''") + "'"
    try:
        probe.execute(f"attach {literal} as store (type duckdb, read_only)")
    except duckdb.Error as e:
        probe.close()
        raise _open_error(db, e) from None
    try:
        _check_schema(probe, "store", db)
    finally:
        probe.close()


def _upgrade(conn: duckdb.DuckDBPyConnection, db: str) -> None:
    """Add the columns an older pmdash did not write (SCHEMA has already added missing
    tables). A column that cannot be added (NOT NULL without a default on a table with rows)
    means the store must be rebuilt: say so instead of half-upgrading it.

    The tables the dashboard facts step rewrites whole are made anew instead when their
    columns differ from SCHEMA's, order included: the step fills them by position, and
    their rows are worked out again from the others anyway."""
    expected = expected_columns()
    have = _columns(conn, conn.execute("select current_database()").fetchall()[0][0])
    stale = [t for t in DERIVED if t in have and list(have[t].items()) != list(expected[t].items())]
    if stale:
        for table in stale:
            conn.execute(f"drop table {table}")  # names from DERIVED, never input
        conn.execute(SCHEMA)
        # The step's fingerprint says its tables are up to date: they no longer are.
        conn.execute("delete from enrichment_state where step = 'dashboard facts'")
        have = _columns(conn, conn.execute("select current_database()").fetchall()[0][0])
    for table, columns in expected.items():
        for column, data_type in columns.items():
            if column in have.get(table, {}):
                continue
            try:
                # Names and types come from SCHEMA, never from input.
                conn.execute(f"alter table {table} add column {column} {data_type}")
            except duckdb.Error as e:
                raise StoreError(
                    "The store is too old to bring up to date",
                    db,
                    f"column {table}.{column} could not be added ({str(e).splitlines()[0]}).",
                    f"Move the file away and rebuild it with {_sync_command(db)}.",
                ) from None


@contextmanager
def _exclusive_lock(lock_path: Path, wait: float) -> Iterator[None]:
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SourceError(
                        f"Another pmdash sync is writing {lock_path.with_suffix('')} and did "
                        f"not finish within {wait:.0f} s; try again when it is done.",
                        title="The store is busy",
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def known_documents(conn: duckdb.DuckDBPyConnection, source_name: str) -> dict[str, KnownDocument]:
    rows = conn.execute(
        "select source_id, content_hash, source_updated_at from incidents where source_name = ?",
        [source_name],
    ).fetchall()
    return {r[0]: KnownDocument(r[0], r[1], r[2]) for r in rows}


def last_sync_started_at(conn: duckdb.DuckDBPyConnection, source_name: str) -> datetime | None:
    """When the last sync of a source that completed (ok or partial) began: the incremental cursor."""
    rows = conn.execute(
        "select max(started_at) from sync_runs where source_name = ? and status in ('ok', 'partial')",
        [source_name],
    ).fetchall()
    return rows[0][0] if rows else None


def delete_incidents(conn: duckdb.DuckDBPyConnection, incident_ids: Iterable[str]) -> None:
    ids = list(incident_ids)
    if not ids:
        return
    frame = pd.DataFrame({"incident_id": ids})
    conn.register("doomed_ids", frame)
    try:
        for table in (*CHILD_TABLES, "incidents"):
            # Table names come from the constant above, never from input.
            conn.execute(
                f"delete from {table} where incident_id in (select incident_id from doomed_ids)"
            )
    finally:
        conn.unregister("doomed_ids")


def insert_postmortems(
    conn: duckdb.DuckDBPyConnection, postmortems: list[PostMortem], loaded_at: datetime
) -> None:
    """Insert records in bulk: one DataFrame per table, since row-by-row inserts are slow."""
    if not postmortems:
        return
    incidents, services, categories, tags, items = [], [], [], [], []
    for pm in postmortems:
        iid = pm.incident_id
        incidents.append((
            iid, pm.source_name, pm.source_kind, pm.source_id, pm.source_url, pm.title,
            pm.incident_date, pm.started_at, pm.detected_at, pm.resolved_at, pm.published_at,
            pm.severity, pm.severity_rank, pm.severity_raw, pm.status, pm.kind, pm.summary,
            pm.root_cause, pm.contributing_factors, pm.customer_impact, pm.time_to_detect_minutes,
            pm.time_to_recover_minutes, list(pm.sections),
            json.dumps(pm.provenance, sort_keys=True), pm.content_hash, pm.source_updated_at,
            loaded_at,
        ))  # fmt: skip
        services += [(iid, canonical, raw, "stated") for canonical, raw in _unique(pm.services)]
        categories += [(iid, canonical, raw, "stated") for canonical, raw in _unique(pm.categories)]
        tags += [(iid, tag) for tag in dict.fromkeys(pm.tags)]
        items += [
            (
                f"{iid}#{a.position}",
                iid,
                a.position,
                a.title,
                a.owner,
                a.due_date,
                a.status,
                a.status_raw,
                a.status_basis,
                a.closed_at,
                a.ticket,
                a.ticket_url,
                a.created_at,
            )
            for a in pm.action_items
        ]
    _append(conn, "incidents", INCIDENT_COLUMNS, incidents)
    _append(conn, "incident_services", SERVICE_COLUMNS, services)
    _append(conn, "incident_categories", CATEGORY_COLUMNS, categories)
    _append(conn, "incident_tags", ("incident_id", "tag"), tags)
    _append(conn, "action_items", ACTION_ITEM_COLUMNS, items)


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One row per canonical name: `API` and `api` in one document are one service."""
    seen: dict[str, tuple[str, str]] = {}
    for canonical, raw in pairs:
        seen.setdefault(canonical, (canonical, raw))
    return list(seen.values())


def _append(
    conn: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list
) -> None:
    if not rows:
        return
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    # Cast through the table's own types: a column of Nones has no dtype pandas can infer.
    types = dict(
        conn.execute(
            "select column_name, data_type from information_schema.columns where table_name = ?",
            [table],
        ).fetchall()
    )
    select = ", ".join(f"cast({c} as {types[c]}) as {c}" for c in columns)
    conn.register("incoming_rows", frame)
    try:
        conn.execute(
            f"insert into {table} ({', '.join(columns)}) select {select} from incoming_rows"
        )
    finally:
        conn.unregister("incoming_rows")


# Enrichment steps (loaders/enrich/) add rows in bulk the same way.
append_rows = _append
