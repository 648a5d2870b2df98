"""The conventions every `pmdash` command follows: --version, -v/-q, --json, GitHub annotations,
`export --out -`, and a store that does not exist refused in one line."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from fakes.confluence_server import FakeConfluence, load_space

from cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(tmp_path: Path) -> str:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "good.md")
    db = str(tmp_path / "s.duckdb")
    assert run("sync", "--git", str(folder), "--db", db)[0] == 0
    return db


def test_version_is_the_installed_distributions() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, f"pmdash {importlib.metadata.version('pmdash')}\n")


@pytest.fixture
def confluence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CONFLUENCE_USER", "jane@example.com")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "secret-api-token-123")
    with FakeConfluence(*load_space()) as fake:
        # One 429 with `Retry-After: 0` on the first search: the client retries at once. The
        # fixture space's 8 pages load as in test_confluence_loader.py: 6, one skipped, one failed.
        fake.fail("search", 429, times=1, headers={"Retry-After": "0"})
        config = tmp_path / "pmdash.toml"
        config.write_text(
            f'[[sources]]\nname = "eng"\nkind = "confluence"\nurl = "{fake.url}"\nspace = "ENG"\n'
            'cloud = true\nusername_env = "CONFLUENCE_USER"\ntoken_env = "CONFLUENCE_TOKEN"\n'
        )
        yield config


def test_verbose_shows_the_confluence_clients_retries(confluence: Path, tmp_path: Path) -> None:
    code, out, err = run("-v", "sync", "--config", str(confluence), "--db", str(tmp_path / "a.db"))
    assert code == 0 and out.startswith("eng: partial (8 seen, 6 loaded")
    assert (
        "pmdash: INFO: Confluence the CQL search kept rate-limiting requests (HTTP 429); "
        "retrying in 0.0 s (loaders.sources.confluence.client)"
    ) in err.splitlines()


def test_without_verbose_retries_are_not_logged(confluence: Path, tmp_path: Path) -> None:
    code, _, err = run("sync", "--config", str(confluence), "--db", str(tmp_path / "b.db"))
    assert code == 0 and "retrying" not in err
    assert "store: " in err  # the note for the person at the terminal


def test_quiet_prints_only_results(confluence: Path, tmp_path: Path) -> None:
    code, out, err = run("-q", "sync", "--config", str(confluence), "--db", str(tmp_path / "c.db"))
    assert code == 0 and out.startswith("eng: partial (8 seen, 6 loaded") and err == ""


def test_sync_json(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "good.md")
    shutil.copy(FIXTURES / "markdown" / "bad_yaml.md", folder / "bad.md")
    db = str(tmp_path / "s.duckdb")
    code, out, _ = run("sync", "--json", "--git", str(folder), "--db", db)
    result = json.loads(out)
    assert code == 0 and result["store"] == db
    # Two files: good.md loads, bad.md has broken YAML and is a warning row.
    # (The enrichment steps that run after the sources have rows of their own.)
    [source] = [r for r in result["sources"] if r["source_name"] == "docs"]
    assert {k: source[k] for k in ("source_name", "status", "seen", "loaded", "failed")} == {
        "source_name": "docs", "status": "partial", "seen": 2, "loaded": 1, "failed": 1
    }  # fmt: skip


def test_lint_json_and_github_annotations(tmp_path: Path) -> None:
    folder = tmp_path / "pm, 1"  # a comma and a colon must be escaped in an annotation's file
    shutil.copytree(FIXTURES / "lint", folder)
    code, out, _ = run("lint", "--json", str(folder))
    problems = json.loads(out)
    # The same 8 problems as the text format (see test_cli.py), as objects.
    assert code == 1 and len(problems) == 8
    assert problems[4] == {
        "document": f"{folder.as_posix()}/problems.md",
        "line": 8,
        "message": "action item 2 ('Improve monitoring') has no owner",
    }
    code, out, _ = run("lint", "--format", "github", str(folder))
    escaped = f"{folder.as_posix()}/problems.md".replace(",", "%2C")
    assert code == 1 and out.splitlines()[4] == (
        f"::error file={escaped},line=8::action item 2 ('Improve monitoring') has no owner"
    )


def test_export_to_stdout_is_the_same_csv_as_to_a_file(store: str, tmp_path: Path) -> None:
    out_file = tmp_path / "incidents.csv"
    assert run("export", "incidents", "--out", str(out_file), "--db", store)[0] == 0
    code, out, err = run("export", "incidents", "--out", "-", "--db", store)
    assert code == 0 and err == ""
    assert out == out_file.read_text(encoding="utf-8") and out.count("\n") == 2  # header + 1 row


@pytest.mark.parametrize(
    "command",
    [
        ["export", "incidents", "--out", "x.csv"],
        ["report", "--quarter", "2025Q3", "--out", "pack"],
        ["serve"],
    ],
)
def test_commands_that_read_a_store_refuse_one_that_does_not_exist(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = str(tmp_path / "tpyo.duckdb")
    code, out, err = run(*command, "--db", typo)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"pmdash {command[0]}: no store at {typo}; run `pmdash sync --db {typo}` first, "
        "or point --db (or $PMDASH_DB) at an existing store."
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, no store created
