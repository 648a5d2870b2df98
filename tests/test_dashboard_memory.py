"""The dashboard's store connection bounds DuckDB's memory (pages/ui/data.DUCKDB_MEMORY) and
spills what does not fit to the system's temporary folder, never next to the store or in the
working directory; a query larger than the limit still answers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from loaders.store import connect_read_only
from pages.ui import data


def test_the_dashboard_connection_has_a_memory_limit(
    sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", sample_db)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    conn = data.connection()
    [(limit, spill)] = conn.execute(
        "select current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchall()
    assert limit == "244.1 MiB"  # 256 MB as DuckDB writes it (256,000,000 bytes in MiB)
    assert Path(spill).parent == Path(tempfile.gettempdir())


def test_a_query_larger_than_the_limit_spills_and_answers(
    sample_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with connect_read_only(sample_db, memory_limit="64MB") as conn:
        # 2,000,000 distinct 32-character strings to group: with spilling turned off, DuckDB
        # stops this query with "Out of Memory Error" at 64 MB.
        [(groups,)] = conn.execute(
            "select count(*) from (select md5(cast(i as varchar)) as s, count(*) "
            "from range(2000000) t(i) group by s)"
        ).fetchall()
    assert groups == 2_000_000
    assert not (tmp_path / ".tmp").exists()  # DuckDB's default spill folder stayed unused
