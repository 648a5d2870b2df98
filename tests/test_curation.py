"""The curation file (SPEC §4.5 `curated`): written atomically and readably, read at every
sync, winning over every other basis, surviving unchanged and changed re-syncs, and undone
cleanly when an entry goes."""

from __future__ import annotations

from pathlib import Path

from conftest import git_source, query

from loaders.config import Config, parse_config
from loaders.enrich import steps_for
from loaders.enrich.curation import read_curation, write_curation
from loaders.normalize import Normalizer
from loaders.sync import SyncResult, sync


def test_writes_are_sorted_blocks_that_keep_comments(tmp_path: Path) -> None:
    path = tmp_path / "pmdash-curation.yaml"
    write_curation(path, {"docs:b.md": {"severity": "SEV2"},
                          "docs:a.md": {"services": ["api", "db"], "kind": "drill"}})  # fmt: skip
    text = path.read_text()
    assert text.startswith("# pmdash curation:")
    assert text.split("\n", 4)[-1] == (
        "docs:a.md:\n  services: [api, db]\n  kind: drill\ndocs:b.md:\n  severity: SEV2\n"
    )
    # A person's comment stays through the next write; None removes a field, and an entry
    # left empty goes.
    path.write_text(text.replace("  severity: SEV2\n", "  severity: SEV2  # paged twice\n"))
    write_curation(path, {"docs:a.md": {"services": None, "kind": None},
                          "docs:c.md": {"categories": []}})  # fmt: skip
    text = path.read_text()
    assert "docs:a.md" not in text
    assert text.endswith(
        "docs:b.md:\n  severity: SEV2  # paged twice\ndocs:c.md:\n  categories: []\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["pmdash-curation.yaml"]  # no scratch left


def test_reading_normalises_values_and_warns_about_each_bad_entry(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "docs:a.md:\n  severity: critical\n  services: [API, db]\n  owner: grace\n"
        "docs:b.md:\n  severity: SEV9\n  kind: outage\n  categories: []\n"
        "docs:c.md: just text\n"
    )
    entries, warnings = read_curation(path, Normalizer(Config()))
    assert entries["docs:a.md"].severity == "SEV1"  # `critical` is the most severe level
    assert entries["docs:a.md"].services == ["api", "db"]  # stated names are lower case too
    assert entries["docs:b.md"].categories == [] and entries["docs:b.md"].severity is None
    assert warnings == [
        "docs:a.md: unknown field 'owner' (known: severity, services, categories, kind); ignored",
        "docs:b.md: severity 'SEV9' is not one of SEV1, SEV2, SEV3, SEV4, SEV5; ignored",
        "docs:b.md: kind 'outage' is not one of incident, near_miss, drill; ignored",
        "docs:c.md: must be a mapping of fields (severity, services, categories, kind); ignored",
    ]


A_MD = "# Checkout down\n\nSeverity: {severity}\nServices: api\n\n## Summary\nThe api failed.\n"
B_MD = "# Slow pages\n\n## Summary\nThe TLS certificate expired.\n"


def _setup(root: Path) -> tuple[Path, Config]:
    docs = root / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(A_MD.format(severity="SEV3"))
    (docs / "b.md").write_text(B_MD)
    (root / "pmdash-curation.yaml").write_text(
        "docs:a.md:\n  severity: SEV1\n  services: [db]\n  owner: grace\n"
        "docs:b.md:\n  categories: [network]\n  kind: near_miss\n"
        "docs:gone.md:\n  severity: SEV2\n"
    )
    return docs, parse_config({}, root / "pmdash.toml")


def _sync(db: Path, docs: Path, config: Config) -> list[SyncResult]:
    return sync(str(db), [git_source(docs, config=config)], None, steps_for(config))


def _state(db: Path) -> dict[str, object]:
    return {
        "incidents": query(db, "select source_id, severity, severity_rank, kind from incidents "
                               "order by source_id"),
        "services": query(db, "select source_id, service, basis from incident_services "
                              "join incidents using (incident_id) order by all"),
        "categories": query(db, "select source_id, category, basis from incident_categories "
                                "join incidents using (incident_id) order by all"),
    }  # fmt: skip


CURATED = {
    "incidents": [
        {"source_id": "a.md", "severity": "SEV1", "severity_rank": 1, "kind": None},
        {"source_id": "b.md", "severity": None, "severity_rank": None, "kind": "near_miss"},
    ],
    # a.md states `api`; the curated `db` replaces it. b.md would be inferred `certificate`.
    "services": [{"source_id": "a.md", "service": "db", "basis": "curated"}],
    "categories": [{"source_id": "b.md", "category": "network", "basis": "curated"}],
}


def test_curation_wins_and_survives_unchanged_and_changed_resyncs(tmp_path: Path, db: Path) -> None:
    docs, config = _setup(tmp_path)
    first = _sync(db, docs, config)
    assert [r.status for r in first if r.source_name == "curation"] == ["ok"]
    assert _state(db) == CURATED
    warnings = query(db, "select load_errors.message from load_errors join sync_runs using (sync_id) "
                         "where sync_runs.source_name = 'curation' order by message")  # fmt: skip
    assert [w["message"] for w in warnings] == [
        "docs:a.md: unknown field 'owner' (known: severity, services, categories, kind); ignored",
        "docs:gone.md: no incident has this id; the entry is kept but applies to nothing",
    ]
    [a] = query(db, "select provenance->>'curated' as c, provenance->>'severity' as s "
                    "from incidents where source_id = 'a.md'")  # fmt: skip
    # What the document said stays in its own provenance key; the curation is named beside it.
    assert a == {"c": "severity, services (pmdash-curation.yaml)", "s": "label 'Severity' (line 3)"}

    _sync(db, docs, config)  # nothing changed
    assert _state(db) == CURATED
    (docs / "a.md").write_text(A_MD.format(severity="SEV4"))  # the document changed
    assert _sync(db, docs, config)[0].loaded == 1
    assert _state(db) == CURATED


def test_removing_an_entry_restores_the_documents_values(tmp_path: Path, db: Path) -> None:
    docs, config = _setup(tmp_path)
    _sync(db, docs, config)
    write_curation(config.curation_file, {"docs:a.md": {"severity": None, "services": None},
                                          "docs:b.md": {"categories": None, "kind": None}})  # fmt: skip
    _sync(db, docs, config)
    assert _state(db) == {
        "incidents": [
            {"source_id": "a.md", "severity": "SEV3", "severity_rank": 3, "kind": None},
            {"source_id": "b.md", "severity": None, "severity_rank": None, "kind": None},
        ],
        "services": [{"source_id": "a.md", "service": "api", "basis": "stated"}],
        "categories": [{"source_id": "b.md", "category": "certificate", "basis": "inferred"}],
    }
    assert query(db, "select count(*) as n from incidents where provenance->>'curated' is not null") == [{"n": 0}]  # fmt: skip


def test_a_broken_curation_file_fails_its_step_and_keeps_what_was_curated(
    tmp_path: Path, db: Path
) -> None:
    docs, config = _setup(tmp_path)
    _sync(db, docs, config)
    config.curation_file.write_text("docs:a.md: [unclosed\n")
    results = _sync(db, docs, config)
    curation = next(r for r in results if r.source_name == "curation")
    assert curation.status == "failed"
    assert curation.message.startswith("The curation file could not be read: ")
    assert _state(db) == CURATED
