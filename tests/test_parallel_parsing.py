"""A large folder is parsed by a pool of processes (loaders/sources/git_folder.py), a slice
of files at a time with two slices in flight. Whatever the pool does, the outcomes must be
those of parsing the files one by one in this process: the same records, the same errors, in
the folder's order. The sizes are made small here so that nine files cross three slices."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.model import Failed, Loaded, Outcome
from loaders.sources import git_folder
from tests.conftest import git_source


def _folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(8):
        (docs / f"pm-{n}.md").write_text(
            f"---\ntitle: Outage {n}\ndate: 2024-03-{n + 1:02d}\nseverity: SEV{n % 3 + 1}\n---\n"
            f"## Action items\n- [x] Add an alert for queue {n} above 1,000 jobs\n"
        )
    (docs / "pm-broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    return docs


def _summary(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return [
        (o.postmortem.source_id, o.postmortem.title or "")
        if isinstance(o, Loaded)
        else (o.source_id, type(o).__name__)
        for o in outcomes
    ]


def test_the_pool_gives_what_parsing_one_by_one_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _folder(tmp_path)
    one_by_one = list(git_source(docs).read({}, None))
    monkeypatch.setattr(git_folder, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(git_folder, "PARALLEL_SLICE", 3)  # 9 files: three slices
    monkeypatch.setattr(git_folder, "PARALLEL_CHUNK", 1)
    pooled = list(git_source(docs).read({}, None))
    assert _summary(pooled) == _summary(one_by_one)
    # Not vacuous: eight post-mortems loaded in name order, the broken one failed.
    assert _summary(pooled)[:2] == [("pm-0.md", "Outage 0"), ("pm-1.md", "Outage 1")]
    assert sum(isinstance(o, Loaded) for o in pooled) == 8
    [failed] = [o for o in pooled if isinstance(o, Failed)]
    assert failed.source_id == "pm-broken.md" and "invalid YAML" in failed.message
    first = next(o for o in pooled if isinstance(o, Loaded))
    assert [a.status for a in first.postmortem.action_items] == ["done"]
