"""Secrets never leak (SPEC §10): syncs that fail in every way the Notion, Confluence, GitHub
and Jira fakes can fail, and the pages drawn after them; no token in stdout, stderr, logs, the
store, the curation file or any page.

Checked to fail: a log line of the Confluence client that printed its credentials, put back
by hand, makes this test fail (see the closing note of the change that added it).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import git_source
from fakes.confluence_server import FakeConfluence, load_space
from fakes.github_server import FakeGitHub, Ticket
from fakes.jira_server import FakeJira, Issue
from fakes.notion_server import FakeNotion, add_postmortems_workspace
from streamlit.testing.v1 import AppTest
from test_confluence_faults import FAST as CONFLUENCE_FAST
from test_confluence_faults import TOKEN as CONFLUENCE_SECRET
from test_notion_faults import DB as NOTION_DB
from test_notion_faults import FAST as NOTION_FAST
from tracker_setup import GITHUB_TOKEN, JIRA_TOKEN, JIRA_USER, everything_stored, write_items

from loaders.config import SourceConfig, parse_config
from loaders.enrich import steps_for
from loaders.enrich.curation import write_curation
from loaders.sources.confluence.source import ConfluenceSource
from loaders.sources.notion.source import NotionSource
from loaders.sync import sync
from loaders.trackers import github, jira

REPO = Path(__file__).resolve().parents[1]
NOTION_TOKEN = "ntn_SECRET_notion_0a1b2c3d4e5f"
CONFLUENCE_TOKEN = CONFLUENCE_SECRET  # the one the fake Confluence accepts
SECRETS = (NOTION_TOKEN, CONFLUENCE_TOKEN, GITHUB_TOKEN, JIRA_TOKEN)
FAULTS = (None, 401, 403, 404, 429, 500)
PAGES = sorted(p.stem for p in (REPO / "pages").glob("*.py") if p.stem != "__init__")


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTION_SECRET", NOTION_TOKEN)
    monkeypatch.setenv("CONFLUENCE_USER", "jane@example.com")
    monkeypatch.setenv("CONFLUENCE_TOKEN", CONFLUENCE_TOKEN)
    monkeypatch.setenv("GH_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("JIRA_USER", JIRA_USER)
    monkeypatch.setenv("JIRA_TOKEN", JIRA_TOKEN)
    monkeypatch.setattr(github, "RETRY_DELAY_SECONDS", 0.001)
    monkeypatch.setattr(jira, "RETRY_DELAY_SECONDS", 0.001)


def page_text(at: AppTest) -> str:
    """Everything a page shows: every element's value, and every table's cells."""
    parts = [str(e.value) for kind in ("markdown", "caption", "text", "error", "warning",
                                        "info", "success", "metric", "title", "header",
                                        "subheader", "code") for e in at.get(kind)]  # fmt: skip
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def test_no_token_anywhere_after_syncs_that_fail_every_way(
    tmp_path: Path,
    db: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    docs = write_items(tmp_path / "docs", ["Fix retries acme/api#1", "Add an alert OPS-1"])
    pages, users = load_space()
    notion = FakeNotion(NOTION_TOKEN).start()
    add_postmortems_workspace(notion)
    curation = tmp_path / "pmdash-curation.yaml"
    try:
        with (
            FakeConfluence(pages, users) as confluence,
            FakeGitHub({"acme/api": [Ticket(1, state="open")]}, token=GITHUB_TOKEN) as gh,
            FakeJira([Issue("OPS-1", "To Do", "new")], basic=(JIRA_USER, JIRA_TOKEN)) as jr,
        ):
            config = parse_config({
                "trackers": {
                    "github": {"api_url": gh.root, "token_env": "GH_TOKEN"},
                    "jira": {"url": jr.root, "username_env": "JIRA_USER",
                             "token_env": "JIRA_TOKEN", "cloud": False},
                },
                "curation": {"path": str(curation)},
            })  # fmt: skip
            notion_options = {"database_id": NOTION_DB, "token_env": "NOTION_SECRET",
                              "api_url": notion.url}  # fmt: skip
            confluence_options = {"url": confluence.url, "space": "ENG", "cloud": True,
                                  "username_env": "CONFLUENCE_USER",
                                  "token_env": "CONFLUENCE_TOKEN"}  # fmt: skip
            write_curation(curation, {"docs:pm.md": {"severity": "SEV2"}})
            statuses = set()
            for status in FAULTS:
                if status is not None:
                    headers = {"Retry-After": "0"} if status == 429 else {}
                    for method in ("GET", "POST", "PATCH"):
                        notion.fail(method, "/v1/", status, None, headers=headers, times=50)
                    confluence.fail("any", status, times=50, headers=headers)
                    gh.fail(status, times=50, headers=headers)
                    jr.fail(status, times=50, headers=headers)
                sources = [
                    git_source(docs, config=config),
                    NotionSource.from_config(
                        SourceConfig("notion", "notion", notion_options), config, NOTION_FAST
                    ),
                    ConfluenceSource.from_config(
                        SourceConfig("confluence", "confluence", confluence_options),
                        config, limits=CONFLUENCE_FAST,
                    ),
                ]  # fmt: skip
                results = sync(str(db), sources, None, steps_for(config))
                statuses |= {(r.source_name, r.status) for r in results}
                for r in results:
                    print(r.summary())
                notion.faults.clear()
                confluence.faults.clear()
                gh.faults.clear()
                jr.faults.clear()
    finally:
        notion.stop()
    # The faults really failed every remote part, and the first round really succeeded.
    for name in ("notion", "confluence", "tracker:github", "tracker:jira"):
        assert {s for n, s in statuses if n == name} >= {"failed"}, name
        assert {s for n, s in statuses if n == name} & {"ok", "partial"}, name

    monkeypatch.setenv("PMDASH_DB", str(db))
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    shown = []
    for page in PAGES:
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown.append(page_text(at))

    captured = capsys.readouterr()
    places = {
        "stdout": captured.out,
        "stderr": captured.err,
        "logs": caplog.text,
        "store": everything_stored(db),
        "curation file": curation.read_text(),
        "pages": "\n".join(shown),
    }
    assert "failed" in places["stdout"]
    leaks = [(where, secret[:6]) for where, text in places.items() for secret in SECRETS
             if secret in text]  # fmt: skip
    assert leaks == []
