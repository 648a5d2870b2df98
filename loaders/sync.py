"""Sync: run sources and apply what they say to the store, one transaction per source.

Each source's changes commit together or not at all: a source that fails leaves its earlier
rows exactly as they were and leaves a `failed` row in `sync_runs`. One bad document is a
`load_errors` row and never stops the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from loaders import store
from loaders.config import Config, SourceConfig
from loaders.enrich import Step, StepOutcome
from loaders.model import (
    ConfigError,
    Failed,
    Loaded,
    PostMortem,
    Skipped,
    Source,
    SourceError,
    Unchanged,
)

log = logging.getLogger(__name__)
INSERT_BATCH = 2000

Progress = Callable[[str, int], None]  # (source name, documents seen so far)


def utc_now() -> datetime:
    """Store times are naive UTC, like the times remote APIs report after conversion."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(slots=True)
class SyncResult:
    sync_id: str
    source_name: str
    status: str  # ok | partial | failed
    seen: int = 0
    loaded: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0
    message: str = ""

    def summary(self) -> str:
        counts = (
            f"{self.seen} seen, {self.loaded} loaded, {self.unchanged} unchanged, "
            f"{self.skipped} skipped, {self.failed} failed, {self.removed} removed"
        )
        text = f"{self.source_name}: {self.status} ({counts})"
        return f"{text}: {self.message}" if self.message else text


def build_source(source: SourceConfig, config: Config) -> Source:
    """The reader for one configured source. Remote clients load only when configured."""
    if source.kind == "git":
        from loaders.sources.git_folder import GitFolderSource

        return GitFolderSource.from_config(source, config)
    if source.kind == "notion":
        from loaders.sources.notion.source import NotionSource

        return NotionSource.from_config(source, config)
    if source.kind == "confluence":
        from loaders.sources.confluence.source import ConfluenceSource

        return ConfluenceSource.from_config(source, config)
    raise ConfigError(f"Source {source.name!r} has unknown kind {source.kind!r}.")


def sync(
    db: str,
    sources: Iterable[Source],
    progress: Progress | None = None,
    steps: Iterable[Step] = (),
) -> list[SyncResult]:
    """Sync each source into the store at `db`, then run the enrichment steps (loaders.enrich);
    readers see all of it at once, at the end."""
    with store.writer(db) as conn:
        results = [sync_source(conn, source, progress) for source in sources]
        changed = any(r.loaded or r.removed for r in results)
        results += [run_step(conn, step, changed) for step in steps]
        return results


def run_step(conn: duckdb.DuckDBPyConnection, step: Step, changed: bool) -> SyncResult:
    """One enrichment step as one transaction: a failure keeps what the store held before."""
    result = SyncResult(uuid.uuid4().hex, step.name, "ok")
    started_at = utc_now()
    conn.execute("begin transaction")
    try:
        outcome = step.run(conn, changed)
        if isinstance(outcome, str):
            outcome = StepOutcome(outcome)
        result.message = outcome.message
        result.status = outcome.status
        _record(conn, result, started_at, [(d, "warning", m) for d, m in outcome.warnings])
        conn.execute("commit")
    except Exception as e:  # any failure must roll back and be recorded
        conn.execute("rollback")
        if isinstance(e, SourceError):
            result.message = f"{e.title}: {e}"
        else:
            log.exception("step %s failed", step.name)
            result.message = f"internal error ({type(e).__name__}: {e}); earlier rows are kept"
        result.status = "failed"
        conn.execute("begin transaction")
        _record(conn, result, started_at, [])
        conn.execute("commit")
    return result


def sync_source(
    conn: duckdb.DuckDBPyConnection, source: Source, progress: Progress | None = None
) -> SyncResult:
    result = SyncResult(uuid.uuid4().hex, source.name, "ok")
    started_at = utc_now()
    errors: list[tuple[str, str, str]] = []  # (document, severity, message)
    conn.execute("begin transaction")
    try:
        _apply(conn, source, result, errors, progress)
        result.status = "partial" if result.failed else "ok"
        _record(conn, result, started_at, errors)
        conn.execute("commit")
    except Exception as e:  # any failure must roll back and be recorded
        conn.execute("rollback")
        if isinstance(e, SourceError):
            result.message = f"{e.title}: {e}"
        else:
            log.exception("sync of %s failed", source.name)
            result.message = f"internal error ({type(e).__name__}: {e}); earlier rows are kept"
        result.status = "failed"
        conn.execute("begin transaction")
        _record(conn, result, started_at, [])
        conn.execute("commit")
    return result


def _apply(
    conn: duckdb.DuckDBPyConnection,
    source: Source,
    result: SyncResult,
    errors: list[tuple[str, str, str]],
    progress: Progress | None,
) -> None:
    known = store.known_documents(conn, source.name)
    since = store.last_sync_started_at(conn, source.name)
    keep: set[str] = set()  # stored documents whose rows stay as they are
    replace: list[PostMortem] = []
    seen: set[str] = set()
    loaded_at = utc_now()

    def flush() -> None:
        ids = [f"{source.name}:{pm.source_id}" for pm in replace]
        store.delete_incidents(conn, ids)
        store.insert_postmortems(conn, replace, loaded_at)
        replace.clear()

    for outcome in source.read(known, since):
        sid = outcome.postmortem.source_id if isinstance(outcome, Loaded) else outcome.source_id
        result.seen += 1
        if progress:
            progress(source.name, result.seen)
        if sid in seen:
            result.failed += 1
            errors.append((sid, "error", "duplicate id: the source lists this document twice; "
                           "only the first copy was loaded"))  # fmt: skip
            continue
        seen.add(sid)
        if isinstance(outcome, Loaded):
            result.loaded += 1
            errors += [(sid, "warning", w) for w in outcome.postmortem.warnings]
            keep.add(sid)
            replace.append(outcome.postmortem)
            if len(replace) >= INSERT_BATCH:
                flush()
        elif isinstance(outcome, Unchanged):
            result.unchanged += 1
            keep.add(sid)
        elif isinstance(outcome, Skipped):
            result.skipped += 1
            errors.append((sid, "warning", outcome.message))
        elif isinstance(outcome, Failed):
            result.failed += 1
            message = outcome.message
            if sid in known:
                keep.add(sid)
                message += " (the version loaded earlier is kept)"
            errors.append((sid, "error", message))
    flush()
    gone = [sid for sid in known if sid not in keep]
    result.removed = len(gone)
    store.delete_incidents(conn, [f"{source.name}:{sid}" for sid in gone])


def _record(
    conn: duckdb.DuckDBPyConnection,
    result: SyncResult,
    started_at: datetime,
    errors: list[tuple[str, str, str]],
) -> None:
    conn.execute(
        "insert into sync_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.sync_id, result.source_name, started_at, utc_now(), result.status,
            result.seen, result.loaded, result.unchanged, result.skipped, result.failed,
            result.message or None,
        ],
    )  # fmt: skip
    if errors:
        conn.executemany(
            "insert into load_errors values (?, ?, ?, ?, ?)",
            [[result.sync_id, result.source_name, doc, sev, msg] for doc, sev, msg in errors],
        )
