"""Syncs and curation writes at the same time (SPEC §10): a Triage save, a sync-button sync and
a CLI sync together — one sync runs at a time and the others wait for it, the curation file is
never half-written and never loses a decision, and no reader ever sees half a sync.

The Triage page's Save and the sync button both run `pages.ui.syncing.sync_with_progress`,
which is `loaders.sync.sync` with the configuration's sources and steps inside a Streamlit
status box; here each runs that call in its own process, as the dashboard and a terminal would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import yaml
from conftest import SAMPLE

from loaders import store
from loaders.config import load_config
from loaders.enrich import steps_for
from loaders.enrich.curation import write_curation
from loaders.store import connect_read_only

DOCUMENTS = 40
PMDASH = str(Path(sys.executable).with_name("pmdash"))

DASHBOARD_SAVE = """
import sys
from loaders.config import load_config
from loaders.enrich import steps_for
from loaders.enrich.curation import write_curation
from loaders.model import SourceError
from loaders.sync import build_source, sync

config = load_config(sys.argv[1])
if len(sys.argv) > 2:  # the Triage page's Save: write the decision, then the safe sync
    write_curation(config.curation_file, {sys.argv[2]: {"severity": "SEV1"}})
sources = [build_source(s, config) for s in config.sources]
try:
    results = sync(config.store_path, sources, None, steps_for(config))
except SourceError as e:  # the page shows this in its status box
    print(f"{e.title}: {e}", file=sys.stderr)
    sys.exit(1)
print("; ".join(r.summary() for r in results))
sys.exit(1 if any(r.status == "failed" for r in results) else 0)
"""


def write_config(tmp_path: Path) -> Path:
    folder = tmp_path / "postmortems"
    folder.mkdir()
    for path in sorted(SAMPLE.glob("2026-*.md"))[:DOCUMENTS]:
        shutil.copy(path, folder / path.name)
    config = tmp_path / "pmdash.toml"
    config.write_text(
        f'[store]\npath = "{tmp_path / "store.duckdb"}"\n\n'
        f'[[sources]]\nname = "docs"\nkind = "git"\npath = "{folder}"\n'
    )
    return config


def run_in_process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )


def test_three_writers_at_once_run_one_at_a_time_and_readers_never_see_half(
    tmp_path: Path,
) -> None:
    config_path = write_config(tmp_path)
    config = load_config(str(config_path))
    db = config.store_path
    first = subprocess.run(
        [sys.executable, "-c", DASHBOARD_SAVE, str(config_path)], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    ids = sorted(r[0] for r in duckdb.connect(db, read_only=True).execute(
        "select incident_id from incidents").fetchall())  # fmt: skip
    steps = len(steps_for(config))

    # A reader polls the store the way every page does, while the writers run.
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            with connect_read_only(db) as conn:
                [(incidents, runs)] = conn.execute(
                    "select (select count(*) from incidents), (select count(*) from sync_runs)"
                ).fetchall()
            seen.append((incidents, runs))
            time.sleep(0.02)

    reader = threading.Thread(target=read)
    reader.start()
    # A sync is already running when the three start, so all three meet the lock.
    with store.writer(db, lock_wait=0):
        writers = [
            # The Triage page's Save, deciding the first incident's severity.
            run_in_process(sys.executable, "-c", DASHBOARD_SAVE, str(config_path), ids[0]),
            # The sync button.
            run_in_process(sys.executable, "-c", DASHBOARD_SAVE, str(config_path)),
            # A CLI sync.
            run_in_process(PMDASH, "sync", "--config", str(config_path)),
        ]
        time.sleep(5)  # long enough for each to start and find the store locked
    outputs = [w.communicate(timeout=300) for w in writers]
    done.set()
    reader.join()

    synced = 0
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert "Traceback" not in err
        if writer.returncode == 0:
            synced += 1
        else:  # waited longer than the lock allows: refused in one clear line, nothing written
            assert writer.returncode == 1 and "The store is busy" in err, (out, err)
    assert synced >= 1
    # Every snapshot a reader saw was a whole store: all the documents, and the sync_runs
    # rows of whole syncs only (each sync writes one row for its source and one per step).
    assert seen, "the reader never read"
    assert {incidents for incidents, _ in seen} == {len(ids)}
    assert all(runs % (1 + steps) == 0 for _, runs in seen), sorted(set(seen))
    # Nothing lost: the first sync and every writer that ran, one after the other.
    with connect_read_only(db) as conn:
        [(runs,)] = conn.execute("select count(*) from sync_runs").fetchall()
        [(severity,)] = conn.execute(
            "select severity from incidents where incident_id = ?", [ids[0]]
        ).fetchall()
    assert runs == (1 + synced) * (1 + steps)
    if writers[0].returncode == 0:
        assert severity == "SEV1"  # the Triage decision reached the store
    assert yaml.safe_load(config.curation_file.read_text()) == {ids[0]: {"severity": "SEV1"}}


WRITER = """
import sys
from pathlib import Path
from loaders.enrich.curation import write_curation
for n in range(int(sys.argv[3])):
    write_curation(Path(sys.argv[1]), {f"{sys.argv[2]}:{n:03d}": {"severity": "SEV2"}})
"""


def test_curation_writes_at_once_lose_nothing_and_are_never_half_written(tmp_path: Path) -> None:
    path = tmp_path / "pmdash-curation.yaml"
    write_curation(path, {"start": {"kind": "incident"}})
    parsed: list[int] = []
    done = threading.Event()

    def read() -> None:  # a sync reading the file while people save
        while not done.is_set():
            parsed.append(len(yaml.safe_load(path.read_text())))

    reader = threading.Thread(target=read)
    reader.start()
    writes = 25
    writers = [
        run_in_process(sys.executable, "-c", WRITER, str(path), name, str(writes))
        for name in ("page", "cli")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    done.set()
    reader.join()
    final = yaml.safe_load(path.read_text())
    # Both writers' 25 decisions and the first entry: none dropped by the other's replace.
    assert len(final) == 1 + 2 * writes
    assert parsed and min(parsed) >= 1  # every read parsed a whole file
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no scratch left
