"""Sync semantics: one transaction per source, incremental re-sync, removals, readers, locking."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, git_source, query

from loaders import store
from loaders.config import Config
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import KnownDocument, Outcome, SourceError
from loaders.sync import sync


def make_folder(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "login.md")
    shutil.copy(FIXTURES / "markdown" / "full_front_matter.md", folder / "checkout.md")
    shutil.copy(FIXTURES / "markdown" / "unknown_severity.md", folder / "search.md")
    return folder


def snapshot(db: Path) -> dict[str, list[dict]]:
    tables = (
        "incidents",
        "incident_services",
        "incident_categories",
        "incident_tags",
        "action_items",
    )
    # Table names are this test's constants.
    return {t: query(db, f"select * from {t} order by all") for t in tables}


class FailsMidway:
    """A real Git-folder source that breaks after two documents, as a network source might."""

    def __init__(self, folder: Path) -> None:
        self.inner = git_source(folder)
        self.name, self.kind = self.inner.name, "git"

    def read(self, known: Mapping[str, KnownDocument], since: datetime | None) -> Iterator[Outcome]:
        for count, outcome in enumerate(self.inner.read(known, since)):
            if count == 1:
                raise SourceError("the connection dropped", title="Could not read the source")
            yield outcome


def test_a_failed_sync_leaves_earlier_rows_exactly_as_they_were(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    sync(str(db), [git_source(folder)])
    before = snapshot(db)
    (folder / "checkout.md").write_text("# Rewritten\n\n## Summary\nChanged.\n")
    (folder / "login.md").unlink()

    [result] = sync(str(db), [FailsMidway(folder)])

    assert result.status == "failed"
    assert snapshot(db) == before, "no row changed, none vanished"
    runs = query(db, "select status, message from sync_runs order by started_at")
    assert [r["status"] for r in runs] == ["ok", "failed"]  # warnings alone keep a sync ok
    assert runs[1]["message"] == "Could not read the source: the connection dropped"
    assert query(db, "select count(*) as n from load_errors where severity = 'error'")[0]["n"] == 0


def test_a_missing_folder_fails_the_source_and_keeps_its_rows(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    sync(str(db), [git_source(folder)])
    before = snapshot(db)
    shutil.rmtree(folder)
    [result] = sync(str(db), [git_source(folder)])
    assert result.status == "failed"
    assert "is not a folder" in result.message
    assert snapshot(db) == before


def test_an_unchanged_folder_is_not_parsed_again(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    first = sync(str(db), [git_source(folder)])[0]
    loaded_at = query(db, "select source_id, loaded_at from incidents order by source_id")
    second = sync(str(db), [git_source(folder)])[0]
    assert (first.loaded, first.unchanged) == (3, 0)
    assert (second.seen, second.loaded, second.unchanged) == (3, 0, 3), (
        "every file recognised by hash"
    )
    assert query(db, "select source_id, loaded_at from incidents order by source_id") == loaded_at


def test_changes_are_read_and_deleted_files_disappear(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    sync(str(db), [git_source(folder)])
    (folder / "login.md").unlink()
    (folder / "search.md").write_text("# Search outage on 2024-07-01\n\n## Summary\nIndex gone.\n")
    result = sync(str(db), [git_source(folder)])[0]
    assert (result.loaded, result.unchanged, result.removed) == (1, 1, 1)
    rows = query(db, "select source_id, title from incidents order by source_id")
    assert rows == [
        {"source_id": "checkout.md", "title": "Checkout API returned 502s after a config push"},
        {"source_id": "search.md", "title": "Search outage on 2024-07-01"},
    ]
    items = query(db, "select distinct incident_id from action_items order by 1")
    assert [i["incident_id"] for i in items] == ["docs:checkout.md"], (
        "login.md's and search.md's old items are gone"
    )


def test_changing_aliases_reads_every_document_again(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    sync(str(db), [git_source(folder)])
    config = Config(service_aliases={"payments-api": "payments"})
    result = sync(str(db), [git_source(folder, config=config)])[0]
    assert result.loaded == 3, "the config is part of each document's hash"
    services = query(
        db,
        "select service from incident_services where incident_id = 'docs:checkout.md' order by 1",
    )
    assert [s["service"] for s in services] == ["checkout", "payments"]


def test_other_sources_are_untouched(tmp_path: Path, db: Path) -> None:
    one, two = make_folder(tmp_path / "one"), make_folder(tmp_path / "two")
    sync(str(db), [git_source(one, "one"), git_source(two, "two")])
    (one / "login.md").unlink()
    sync(str(db), [git_source(one, "one")])
    counts = query(db, "select source_name, count(*) as n from incidents group by 1 order by 1")
    assert counts == [{"source_name": "one", "n": 2}, {"source_name": "two", "n": 3}]


def test_readers_never_see_half_a_sync(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    sync(str(db), [git_source(folder)])
    reader = store.connect_read_only(str(db))  # the dashboard's connection stays open
    (folder / "login.md").unlink()
    sync(str(db), [git_source(folder)])
    # The open connection still reads the store as it was; a new one sees the finished sync.
    assert reader.cursor().execute("select count(*) from incidents").fetchall() == [(3,)]
    fresh = store.connect_read_only(str(db))
    assert fresh.cursor().execute("select count(*) from incidents").fetchall() == [(2,)]


def test_a_store_that_does_not_exist_reads_as_empty(db: Path) -> None:
    conn = store.connect_read_only(str(db))
    assert conn.execute("select count(*) from incidents").fetchall() == [(0,)]
    assert not db.exists(), "reading never creates the file"


def test_a_second_sync_waits_then_refuses_clearly(tmp_path: Path, db: Path) -> None:
    folder = make_folder(tmp_path / "docs")
    with (
        store.writer(str(db)),
        pytest.raises(SourceError) as refused,
        store.writer(str(db), lock_wait=0.3),
    ):
        pass
    assert refused.value.title == "The store is busy"
    assert "Another pmdash sync is writing" in str(refused.value)
    assert sync(str(db), [git_source(folder)])[0].status == "ok", "the lock is released afterwards"


class CountIncidents:
    """An enrichment step that writes one table from what the sources loaded."""

    name = "counter"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[bool] = []

    def run(self, conn, changed: bool) -> str:  # type: ignore[no-untyped-def]
        self.calls.append(changed)
        conn.execute("create or replace table counted as select count(*) as n from incidents")
        if self.fail:
            raise SourceError("the tracker said no", title="Counter failed")
        return "counted"


def test_enrichment_steps_run_after_the_sources_and_know_whether_anything_changed(
    tmp_path: Path, db: Path
) -> None:
    folder = make_folder(tmp_path / "docs")
    step = CountIncidents()
    first = sync(str(db), [git_source(folder)], steps=[step])
    again = sync(str(db), [git_source(folder)], steps=[step])
    # The step's row follows the source's; the second sync loaded nothing new.
    assert [r.source_name for r in first] == ["docs", "counter"]
    assert (first[1].status, first[1].message) == ("ok", "counted")
    assert step.calls == [True, False]
    # make_folder copies three post-mortems.
    assert query(db, "select n from counted") == [{"n": 3}]
    assert again[0].loaded == 0


def test_a_failed_step_keeps_the_documents_and_records_its_failure(
    tmp_path: Path, db: Path
) -> None:
    folder = make_folder(tmp_path / "docs")
    [source_result, step_result] = sync(str(db), [git_source(folder)], steps=[CountIncidents(True)])
    assert source_result.status == "ok"
    assert (step_result.status, step_result.message) == (
        "failed",
        "Counter failed: the tracker said no",
    )
    # The step's table write rolled back; the three documents stay.
    assert query(db, "select count(*) as n from incidents") == [{"n": 3}]
    tables = query(
        db, "select table_name from information_schema.tables where table_name = 'counted'"
    )
    assert tables == []
    runs = query(db, "select source_name, status from sync_runs order by source_name")
    assert runs == [
        {"source_name": "counter", "status": "failed"},
        {"source_name": "docs", "status": "ok"},
    ]


def test_a_store_whose_kept_facts_have_an_older_shape_is_brought_up_to_date(
    tmp_path: Path,
) -> None:
    # An older pmdash kept incident_recurrence with fewer columns; `alter table add column`
    # would append the new ones at its end, out of the order the facts step writes by. The
    # sync must make the table anew and fill it, as a fresh store would have it.
    folder = make_folder(tmp_path / "docs")
    fresh, older = tmp_path / "fresh.duckdb", tmp_path / "older.duckdb"
    sync(str(fresh), [git_source(folder)], None, [DashboardFacts()])
    sync(str(older), [git_source(folder)], None, [DashboardFacts()])
    with duckdb.connect(str(older)) as conn:
        conn.execute("drop table incident_recurrence")
        conn.execute(
            "create table incident_recurrence (dim varchar, value varchar, service varchar, "
            "category varchar, incident_id varchar, began_at timestamp, kind varchar)"
        )
    [_, facts] = sync(str(older), [git_source(folder)], None, [DashboardFacts()])
    assert facts.status == "ok", facts.message
    every_row = "select * from incident_recurrence order by all"
    assert query(older, every_row) == query(fresh, every_row)
    assert len(query(fresh, every_row)) > 0  # not vacuous: the folder's incidents have values
