"""The Triage page, the basis switch and coverage by basis, rendered by AppTest on a store
synced with a catalog (SPEC §4.5, §7): edit a cell, save, and the store and the charts change."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git_source, query, write_catalog_corpus
from test_pages import frame_with, open_page

from loaders.config import load_config
from loaders.enrich import steps_for
from loaders.sync import sync

DOCS = {
    "a.md": "# 2026-03-01 Checkout down\n\nSeverity: SEV2\nServices: checkout\n"
    "Category: database\n\n## Summary\nQueries timed out.\n",
    "b.md": "# 2026-03-05 Payments errors\n\n## Summary\n`payments-api` failed: the TLS "
    "certificate expired.\n",
}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    docs = write_catalog_corpus(tmp_path, DOCS)
    config_path = tmp_path / "pmdash.toml"
    config_path.write_text('[[sources]]\nname = "docs"\nkind = "git"\npath = "docs"\n'
                           '[services]\ncatalog = "backstage"\n')  # fmt: skip
    config = load_config(config_path)
    db = tmp_path / "store.duckdb"
    sync(str(db), [git_source(docs, config=config)], None, steps_for(config))
    monkeypatch.setenv("PMDASH_DB", str(db))
    monkeypatch.setenv("PMDASH_CONFIG", str(config_path))
    return db


def test_edit_a_cell_save_and_the_store_and_charts_change(store: Path) -> None:
    at = open_page("triage")
    [editor] = at.data_editor
    table = editor.value
    # Only b.md: a.md states its severity, service and category.
    assert table["incident_id"].tolist() == ["docs:b.md"]
    assert table.loc[0, "services_basis"] == "mentioned"
    assert table.loc[0, "categories_basis"] == "inferred"
    # A person picks a severity and replaces the inferred category.
    at.session_state["triage_editor"] = {
        "edited_rows": {0: {"severity": "SEV1", "categories": ["network"]}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "1 post-mortem changed and not saved yet." in [c.value for c in at.caption]
    at.button(key="triage_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [
        "Saved 1 post-mortem to pmdash-curation.yaml and synced."
    ]
    curation = (store.parent / "pmdash-curation.yaml").read_text()
    assert curation.endswith("docs:b.md:\n  severity: SEV1\n  categories: [network]\n")
    assert query(store, "select severity from incidents where source_id = 'b.md'") == [
        {"severity": "SEV1"}]  # fmt: skip
    # The page shows the change: b.md still waits for a decision on its mentioned service,
    # now with its curated severity and category.
    table = at.data_editor[0].value
    assert table.loc[0, ["severity", "categories_basis"]].tolist() == ["SEV1", "curated"]
    # And the charts: the Overview's categories now count `network` instead of `certificate`.
    top = frame_with(open_page("overview"), "category", "incidents")
    assert sorted(top["category"]) == ["database", "network"]


def test_the_switch_leaves_mentioned_values_out_and_captions_say_so(store: Path) -> None:
    every = frame_with(open_page("overview"), "service", "incidents")
    assert sorted(every["service"]) == ["checkout", "payments-api"]
    at = open_page("overview", guesses="false")
    firm = frame_with(at, "service", "incidents")
    assert firm["service"].tolist() == ["checkout"]
    captions = " ".join(c.value for c in at.caption)
    assert "Services: 1 stated, 1 mentioned (not counted)." in captions


def test_data_and_sources_shows_coverage_by_basis(store: Path) -> None:
    coverage = frame_with(open_page("data_sources"), "field", "stated", "mentioned", "inferred")
    service = coverage.set_index("field").loc["service"]
    assert (service["stated"], service["mentioned"]) == (0.5, 0.5)  # a.md states, b.md mentions
