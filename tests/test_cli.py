"""The `pmdash` command line: exit codes (SPEC §8) and `pmdash lint` findings."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, query

from cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_sync_git_folder_exits_0_and_prints_a_summary(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "good.md")
    shutil.copy(FIXTURES / "markdown" / "bad_yaml.md", folder / "bad.md")
    db = tmp_path / "s.duckdb"
    code, out, _ = run("sync", "--git", str(folder), "--db", str(db))
    # A broken document is a warning row, not a failed source.
    assert code == 0
    assert "docs: partial (2 seen, 1 loaded, 0 unchanged, 0 skipped, 1 failed, 0 removed)" in out
    assert query(db, "select count(*) as n from incidents") == [{"n": 1}]


def test_sync_exits_1_when_a_source_fails(tmp_path: Path) -> None:
    config = tmp_path / "pmdash.toml"
    config.write_text('[[sources]]\nname = "gone"\nkind = "git"\npath = "no-such-folder"\n')
    code, out, _ = run("sync", "--config", str(config), "--db", str(tmp_path / "s.duckdb"))
    assert code == 1
    assert "gone: failed" in out and "is not a folder" in out


def test_sync_exits_2_on_bad_usage_or_config(tmp_path: Path) -> None:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[[sources]\n")
    assert run("sync", "--config", str(bad_toml))[0] == 2
    unknown_kind = tmp_path / "kind.toml"
    unknown_kind.write_text('[[sources]]\nname = "x"\nkind = "sharepoint"\n')
    code, _, err = run("sync", "--config", str(unknown_kind))
    assert code == 2 and "use one of git, notion, confluence" in err
    code, _, err = run("sync", "--config", str(unknown_kind.with_name("missing.toml")))
    assert code == 2 and "no such config file" in err
    code, _, err = run("sync", "--git", str(tmp_path / "nope"))
    assert code == 2 and "not a folder" in err
    assert run("sync", "--no-such-flag")[0] == 2


def test_sync_of_one_configured_source(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shutil.copy(FIXTURES / "markdown" / "good.md", tmp_path / name / "good.md")
    config = tmp_path / "pmdash.toml"
    config.write_text(
        '[store]\npath = "store.duckdb"\n'
        '[[sources]]\nname = "a"\nkind = "git"\npath = "a"\n'
        '[[sources]]\nname = "b"\nkind = "git"\npath = "b"\n'
    )
    code, out, _ = run("sync", "--config", str(config), "--source", "b")
    assert code == 0 and out.startswith("b: ok")
    # The store path is read relative to the config file.
    assert query(tmp_path / "store.duckdb", "select source_name from incidents") == [
        {"source_name": "b"}
    ]
    code, _, err = run("sync", "--config", str(config), "--source", "c")
    assert code == 2 and "No source named 'c'" in err


def test_lint_names_file_and_line_for_each_problem(tmp_path: Path) -> None:
    folder = tmp_path / "pms"
    shutil.copytree(FIXTURES / "lint", folder)
    code, out, err = run("lint", str(folder))
    assert code == 1
    path = f"{folder.as_posix()}/problems.md"
    assert out.splitlines() == [
        # Only Summary and Action items are written.
        f"{path}:1: missing section: Timeline",
        f"{path}:1: missing section: Contributing factors",
        f"{path}:1: missing section: Root cause",
        f"{path}:1: missing section: Impact",
        # Line 8: "Improve monitoring" has nothing but its two words.
        f"{path}:8: action item 2 ('Improve monitoring') has no owner",
        f"{path}:8: action item 2 ('Improve monitoring') has no due date",
        f"{path}:8: action item 2 ('Improve monitoring') has no ticket",
        f"{path}:8: action item 2 ('Improve monitoring') is vague (fewer than 4 words): say what will change and how to tell it is done",
        # Line 9 has no owner and no due date, but it is done: nothing left to chase.
    ]
    assert "8 problems in 1 documents" in err


def test_lint_passes_a_complete_post_mortem() -> None:
    code, out, _ = run("lint", str(FIXTURES / "lint" / "clean.md"))
    assert (code, out) == (0, "")


def test_lint_reports_unreadable_documents(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "markdown" / "bad_yaml.md", tmp_path / "bad.md")
    code, out, _ = run("lint", str(tmp_path))
    assert code == 1
    assert out.startswith(
        f"{tmp_path.as_posix()}/bad.md:1: cannot be read: invalid YAML front matter"
    )
