"""Which files a Git-folder source reads: `glob` and `exclude` with wcmatch's glob syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.config import Config
from loaders.lint import lint_path
from loaders.model import Loaded
from tests.conftest import git_source

POSTMORTEM = "# {name}\n\nSeverity: SEV2\n\n## Summary\nThe queue stalled.\n"
FILES = (
    "2019/a.md", "2020/a.md", "2021/a.md", "2022/a.md", "2023/a.md", "2024/a.md",
    "2021/deep/b.md", "drafts/c.md", "top.md", "2021/notes.txt",
)  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for rel in FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(POSTMORTEM.format(name=rel))
    return tmp_path


def _read(folder: Path, **options: object) -> list[str]:
    outcomes = git_source(folder, **options).read({}, None)
    return sorted(o.postmortem.source_id for o in outcomes if isinstance(o, Loaded))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # `**/` is any number of folders, none included; `*` stays inside one name.
        ({}, [f for f in sorted(FILES) if f.endswith(".md")]),
        ({"glob": "*.md"}, ["top.md"]),
        ({"glob": "**/b.md"}, ["2021/deep/b.md"]),
        # A character class: 2020 to 2023, not 2019 or 2024; one folder deep only.
        ({"glob": "202[0-3]/*.md"}, ["2020/a.md", "2021/a.md", "2022/a.md", "2023/a.md"]),
        # Braces: either year, any depth below it.
        ({"glob": "{2019,2024}/**/*.md"}, ["2019/a.md", "2024/a.md"]),
        ({"glob": ["top.md", "2022/*.md"]}, ["2022/a.md", "top.md"]),
        # `exclude` wins over `glob`; `drafts/**` is everything below drafts/.
        ({"exclude": ["drafts/**", "20[12]?/**"]}, ["top.md"]),
    ],
)
def test_globs_select_the_files(
    folder: Path, options: dict[str, object], expected: list[str]
) -> None:
    assert _read(folder, **options) == expected


def test_lint_of_one_file_whose_name_looks_like_a_glob(tmp_path: Path) -> None:
    # `[draft]` would be a character class matching one letter; lint means this very file.
    path = tmp_path / "outage [draft].md"
    path.write_text(POSTMORTEM.format(name="x"))
    (tmp_path / "outage d.md").write_text(POSTMORTEM.format(name="y"))
    documents = {p.document for p in lint_path(path, Config())}
    assert documents == {str(path)}  # its problems (no action items…), and only its own
