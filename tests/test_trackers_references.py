"""Which tracker a ticket belongs to (SPEC §4.4): every reference form the readers record,
given to GitHub or Jira by the trackers' configuration (loaders/trackers/references.py)."""

from __future__ import annotations

import pytest

from loaders.config_schema import GitHubTrackerSection, JiraTrackerSection
from loaders.reading.extract import find_ticket
from loaders.trackers.references import GitHubReferences, JiraReferences, Reference

GITHUB = GitHubReferences(GitHubTrackerSection(default_repo="acme/api"))
ENTERPRISE = GitHubReferences(GitHubTrackerSection(api_url="https://ghe.corp.example/api/v3"))
JIRA = JiraReferences(JiraTrackerSection(url="https://acme.atlassian.net/", token_env="T",
                                         project_keys=["OPS", "PAY"]))  # fmt: skip


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # Markdown text and links, Notion rich text and URL properties (all read by find_ticket).
        (
            "Fix it https://github.com/acme/api/issues/12",
            Reference("acme/api#12", "https://github.com/acme/api/issues/12"),
        ),
        (
            "Ship https://github.com/acme/api/pull/7/files",
            Reference("acme/api#7", "https://github.com/acme/api/pull/7/files"),
        ),
        ("Tracked in acme/web#3", Reference("acme/web#3", "https://github.com/acme/web/issues/3")),
        ("Tracked in #45", Reference("acme/api#45", "https://github.com/acme/api/issues/45")),
        ("On GitLab https://gitlab.com/acme/api/-/issues/9", None),  # another forge
        ("Enterprise https://ghe.corp.example/ops/db/issues/4", None),  # not this tracker's host
        ("OPS-12 retries", None),  # Jira's
    ],
)
def test_github_forms(written: str, expected: Reference | None) -> None:
    found = find_ticket(written)
    assert found is not None
    assert GITHUB.resolve(found.key, found.url) == expected


def test_enterprise_links_on_the_web_host_of_api_url() -> None:
    found = find_ticket("see https://ghe.corp.example/ops/db/pull/4")
    assert found is not None
    assert ENTERPRISE.resolve(found.key, found.url) == Reference(
        "ops/db#4", "https://ghe.corp.example/ops/db/pull/4"
    )
    public = find_ticket("https://github.com/ops/db/issues/4")
    assert public is not None and ENTERPRISE.resolve(public.key, public.url) is None
    # Without default_repo, a bare #N is nobody's.
    assert ENTERPRISE.resolve("#4", None) is None


@pytest.mark.parametrize(
    ("ticket", "url", "expected"),
    [
        (
            "OPS-12",
            None,
            Reference("OPS-12", "https://acme.atlassian.net/browse/OPS-12"),
        ),  # Markdown key
        (
            "PAY-3",
            "https://acme.atlassian.net/browse/PAY-3",
            Reference("PAY-3", "https://acme.atlassian.net/browse/PAY-3"),
        ),
        ("SHA-1", None, None),  # prose: not a configured project
        ("ABC-123", None, None),
        ("acme/api#3", None, None),  # GitHub's
    ],
)
def test_jira_forms(ticket: str, url: str | None, expected: Reference | None) -> None:
    assert JIRA.resolve(ticket, url) == expected


def test_without_project_keys_every_key_is_jiras() -> None:
    every = JiraReferences(JiraTrackerSection(url="https://jira.example.com", token_env="T"))
    assert every.resolve("ABC-123", None) == Reference(
        "ABC-123", "https://jira.example.com/browse/ABC-123"
    )
