"""The serving process never writes the store (SPEC §10): apart from the one sync path (the
sync button, the Triage page's save), rendering any page only reads.

The store file and its folder are made immutable (`chattr +i`), which even root cannot write
through: any write, a DuckDB WAL file or a changed byte, fails the page. The test checks first
that the file really cannot be written, so it cannot pass by accident on a system where the
flag is ignored.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (REPO / "pages").glob("*.py") if p.stem != "__init__")


@pytest.fixture(scope="module")
def frozen_store(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("frozen")
    path = folder / "store.duckdb"
    shutil.copy(sample_db, path)
    subprocess.run(["chattr", "+i", str(path), str(folder)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path), str(folder)], check=True)


def fingerprint(path: Path) -> tuple[str, list[str]]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(
        p.name for p in path.parent.iterdir()
    )


def test_the_frozen_store_cannot_be_written(frozen_store: Path) -> None:
    with pytest.raises(PermissionError):
        frozen_store.open("ab").close()
    with pytest.raises(PermissionError):
        (frozen_store.parent / "store.duckdb.wal").touch()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_from_a_store_it_may_not_write(
    page: str, frozen_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", str(frozen_store))
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    before = fingerprint(frozen_store)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # Every page shows data from the store (its title and at least one table or chart).
    assert at.get("plotly_chart") or at.dataframe or at.metric
    assert fingerprint(frozen_store) == before
