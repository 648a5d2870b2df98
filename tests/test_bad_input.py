"""Every bad input of SPEC §10 is exactly one clear `load_errors` row, and the rest still load."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

from conftest import FIXTURES, query

# document -> (severity, words the message must contain, does the document still load?)
EXPECTED = {
    "bad_yaml.md": (
        "error",
        "invalid YAML front matter at line 3: found unexpected end of stream (while scanning a quoted scalar that starts at line 2)",
        False,
    ),
    "front_matter_list.md": ("error", "front matter is a list, not a mapping", False),
    "latin1.md": ("error", "not UTF-8: byte 0xe9 at line 1; save the file as UTF-8", False),
    "binary.md": ("error", "binary file", False),
    "empty.md": ("error", "empty file", False),
    "huge.md": ("error", "over the 5 MB limit", False),
    "impossible_date.md": ("warning", "'2025-02-30' is not a real date", True),
    "unknown_severity.md": ("warning", "unknown severity 'Catastrophic-ish'", True),
    "same_as_good.md": ("warning", "duplicate id: a link to good.md", False),
    "self_loop.md": ("error", "symlink loop", False),
    "dangling.md": ("error", "which does not exist", False),
    "pipe.md": ("error", "not a regular file", False),
    "nested/back": ("error", "symlink loop: this folder leads back to the source folder", False),
}


def make_bad_folder(folder: Path) -> None:
    folder.mkdir()
    for name in EXPECTED:
        source = FIXTURES / "markdown" / name
        if source.exists():
            shutil.copy(source, folder / name)
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "good.md")
    (folder / "huge.md").write_bytes(b"# Huge\n" + b"x" * (5 * 1024 * 1024))
    (folder / "same_as_good.md").symlink_to("good.md")
    (folder / "self_loop.md").symlink_to("self_loop.md")
    (folder / "dangling.md").symlink_to("gone.md")
    os.mkfifo(folder / "pipe.md")
    (folder / "nested").mkdir()
    (folder / "nested" / "back").symlink_to("..")


def test_each_bad_document_is_one_row_and_the_rest_load(
    tmp_path: Path, sync_folder, db: Path
) -> None:
    make_bad_folder(tmp_path / "docs")
    result = sync_folder(tmp_path / "docs")
    assert result.status == "partial", "documents failed, the source did not"

    errors = query(db, "select document, severity, message from load_errors")
    assert Counter(e["document"] for e in errors) == Counter(set(EXPECTED)), "exactly one row each"
    for error in errors:
        severity, words, _ = EXPECTED[error["document"]]
        assert error["severity"] == severity, error
        assert words in error["message"], error

    loaded = {r["source_id"] for r in query(db, "select source_id from incidents")}
    assert loaded == {"good.md"} | {name for name, (_, _, loads) in EXPECTED.items() if loads}


def test_documents_with_warnings_keep_what_they_state(
    tmp_path: Path, sync_folder, db: Path
) -> None:
    make_bad_folder(tmp_path / "docs")
    sync_folder(tmp_path / "docs")
    rows = {r["source_id"]: r for r in query(db, "select * from incidents")}
    # The unknown label is kept raw and no level is guessed.
    assert (
        rows["unknown_severity.md"]["severity"],
        rows["unknown_severity.md"]["severity_raw"],
    ) == (None, "Catastrophic-ish")
    # The impossible date is not stored; the rest of the front matter is.
    assert rows["impossible_date.md"]["incident_date"] is None
    assert rows["impossible_date.md"]["severity"] == "SEV3"


def test_a_broken_edit_keeps_the_version_loaded_earlier(
    tmp_path: Path, sync_folder, db: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "good.md")
    sync_folder(folder)
    (folder / "good.md").write_text("---\ntitle: [unclosed\n---\n# Broken now\n")
    result = sync_folder(folder)
    assert (result.status, result.failed, result.removed) == ("partial", 1, 0)
    [row] = query(db, "select title from incidents")
    assert row["title"] == "Login errors after certificate rotation", "nothing is lost"
    [error] = query(db, "select message from load_errors where sync_id = ?", [result.sync_id])
    assert error["message"].endswith("(the version loaded earlier is kept)")
