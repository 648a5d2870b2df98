"""P7: tracker requests for 1,000 tickets, on a first sync and on an unchanged re-sync.

Post-mortems naming `tickets` tickets (five action items each) are synced twice with the
GitHub tracker (a token, so GraphQL) and then with the Jira tracker (Data Center search),
each against the fake server of the tests (tests/fakes/, imported by path), through the real
sources, steps, githubkit and atlassian-python-api. Requests are counted by the fakes.
Two thirds of the tickets are closed, the rest open, spread over four repositories or
projects, as a team's tickets are.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from loaders.config import SourceConfig, parse_config
from loaders.enrich import steps_for
from loaders.sources.git_folder import GitFolderSource
from loaders.sync import sync

TESTS = Path(__file__).resolve().parents[1] / "tests"
GITHUB_TOKEN, JIRA_USER, JIRA_TOKEN = "ghp_fake-token-123", "jane@example.com", "jira-api-token-456"
REPOS = ("acme/api", "acme/web", "acme/db", "acme/infra")
PROJECTS = ("OPS", "PAY", "WEB", "DB")
ITEMS_PER_DOCUMENT = 5


def _fakes() -> Any:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from fakes import github_server, jira_server

    return github_server, jira_server


def _write(folder: Path, references: list[str]) -> None:
    for start in range(0, len(references), ITEMS_PER_DOCUMENT):
        items = "\n".join(
            f"- Follow-up {ref}" for ref in references[start : start + ITEMS_PER_DOCUMENT]
        )
        n = start // ITEMS_PER_DOCUMENT
        (folder / f"pm-{n:04}.md").write_text(
            f"# 2024-05-01 Incident {n}\n\n## Action items\n{items}\n"
        )


def _twice(references: list[str], trackers: dict[str, Any], count: Any) -> tuple[int, int]:
    """Requests of a first sync and of an unchanged second one."""
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        _write(docs, references)
        config = parse_config({"trackers": trackers})
        source = GitFolderSource.from_config(
            SourceConfig("bench", "git", {"path": str(docs)}), config
        )
        db = str(Path(tmp) / "store.duckdb")
        sync(db, [source], None, steps_for(config))
        first = count()
        sync(db, [source], None, steps_for(config))
        return first, count() - first


def github_requests(tickets: int = 1000) -> tuple[int, int]:
    github_server, _ = _fakes()
    os.environ["PMDASH_BENCH_GITHUB_TOKEN"] = GITHUB_TOKEN
    per_repo = -(-tickets // len(REPOS))
    repos = {
        repo: [github_server.Ticket(n, state="closed" if n % 3 else "open",
                                    closed_at="2024-05-02T00:00:00Z" if n % 3 else None)
               for n in range(1, per_repo + 1)]
        for repo in REPOS
    }  # fmt: skip
    references = [f"{repo}#{n}" for n in range(1, per_repo + 1) for repo in REPOS][:tickets]
    with github_server.FakeGitHub(repos, token=GITHUB_TOKEN) as fake:
        trackers = {"github": {"api_url": fake.root, "token_env": "PMDASH_BENCH_GITHUB_TOKEN"}}
        return _twice(references, trackers, fake.count)


def jira_requests(tickets: int = 1000) -> tuple[int, int]:
    _, jira_server = _fakes()
    os.environ["PMDASH_BENCH_JIRA_USER"] = JIRA_USER
    os.environ["PMDASH_BENCH_JIRA_TOKEN"] = JIRA_TOKEN
    per_project = -(-tickets // len(PROJECTS))
    keys = [f"{p}-{n}" for n in range(1, per_project + 1) for p in PROJECTS][:tickets]
    issues = [
        jira_server.Issue(k, "Done", "done", "Done", "2024-05-02T00:00:00.000+0000")
        if i % 3 else jira_server.Issue(k)
        for i, k in enumerate(keys)
    ]  # fmt: skip
    with jira_server.FakeJira(issues, basic=(JIRA_USER, JIRA_TOKEN)) as fake:
        trackers = {"jira": {"url": fake.root, "username_env": "PMDASH_BENCH_JIRA_USER",
                             "token_env": "PMDASH_BENCH_JIRA_TOKEN", "cloud": False}}  # fmt: skip
        return _twice(keys, trackers, lambda: len(fake.requests))
