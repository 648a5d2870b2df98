"""Shared fixtures: paths to the corpus and fixtures, and a way to sync a folder and read rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from loaders.config import Config, SourceConfig
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.sources.git_folder import GitFolderSource
from loaders.sync import SyncResult, sync

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
FIXTURES = REPO / "tests" / "fixtures"


def git_source(
    path: Path, name: str = "docs", config: Config | None = None, **options: Any
) -> GitFolderSource:
    return GitFolderSource.from_config(
        SourceConfig(name, "git", {"path": str(path), **options}), config or Config()
    )


def query(db: Path | str, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts, read through a fresh read-only connection as the dashboard would."""
    with duckdb.connect(str(db), read_only=True) as conn:
        cursor = conn.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def sync_folder(db: Path) -> Callable[..., SyncResult]:
    def run(
        path: Path, name: str = "docs", config: Config | None = None, **options: Any
    ) -> SyncResult:
        return sync(str(db), [git_source(path, name, config, **options)])[0]

    return run


# Dashboard fixtures (queries, pages, export, browser tests).

SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="session")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small hand-built store of tests/hand_store.py, written once per test session."""
    import hand_store

    return hand_store.build(tmp_path_factory.mktemp("hand") / "store.duckdb")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store synced from the bundled sample corpus (data/sample), once per test session."""
    path = tmp_path_factory.mktemp("sample") / "store.duckdb"
    source = GitFolderSource.from_config(
        SourceConfig("sample", "git", {"path": str(SAMPLE)}), Config()
    )
    # Only the step that keeps what the dashboard reads: the sample's numbers stay those of
    # its documents alone (no similarity, catalog or trackers).
    sync(str(path), [source], None, [DashboardFacts()])
    return str(path)


@pytest.fixture(scope="session")
def enriched_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample synced as `pmdash sync` does, with the enrichment steps: similar incidents
    and themes exist only after their step (sample_db is synced without steps)."""
    from loaders.enrich import steps_for

    path = tmp_path_factory.mktemp("enriched") / "store.duckdb"
    source = GitFolderSource.from_config(
        SourceConfig("sample", "git", {"path": str(SAMPLE)}), Config()
    )
    sync(str(path), [source], None, steps_for(Config()))
    return str(path)


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Both real collections of /work/shared/corpus, synced with every step a default
    configuration runs (as `pmdash sync` syncs them), once per test session."""
    from loaders.enrich import steps_for

    db = str(tmp_path_factory.mktemp("corpus") / "store.duckdb")
    config = Config()
    sources = [
        git_source(CORPUS / name, name, config)
        for name in ("2i2c-incident-reports", "learningequality-postmortems")
    ]
    sync(db, sources, None, steps_for(config))
    return db


def write_catalog_corpus(root: Path, docs: dict[str, str]) -> Path:
    """Post-mortems in root/docs and the Backstage catalog of tests/fixtures/backstage/payments
    in root/backstage, for tests of services and categories the documents do not state."""
    import shutil

    (root / "docs").mkdir()
    for name, text in docs.items():
        (root / "docs" / name).write_text(text)
    shutil.copytree(FIXTURES / "backstage" / "payments", root / "backstage")
    return root / "docs"
