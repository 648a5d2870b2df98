"""Which tracker an action item's ticket belongs to, and the key that tracker knows it by.

The readers (loaders/reading/) record what a document writes: `OPS-123`, `owner/repo#12`,
`#12`, or a link. Only here, with the trackers' configuration known, is a reference given to
a tracker (SPEC §4.4):
- GitHub: `/issues/N` and `/pull/N` links on github.com or on the web host of `api_url`
  (GitHub Enterprise Server), `OWNER/REPO#N` written without a link, and `#N` when
  `default_repo` is set. The key is `OWNER/REPO#N`.
- Jira: a key such as `OPS-123` (written, or a `/browse/OPS-123` link), from the
  `project_keys` when they are set: otherwise `SHA-1` in prose would be asked for too.
A link to another host (GitLab, another GitHub Enterprise) belongs to no tracker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from loaders.config_schema import GitHubTrackerSection, JiraTrackerSection

GITHUB_COM = "https://api.github.com"
_ISSUE_PATH = re.compile(r"^/(?P<repo>[\w.-]+/[\w.-]+)/(?:issues|pull)/(?P<n>\d+)(?:/.*)?$")
_REPO_KEY = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)#(?P<n>\d+)$")
_HASH_KEY = re.compile(r"^#(?P<n>\d+)$")
_JIRA_KEY = re.compile(r"^(?P<project>[A-Z][A-Z0-9_]+)-(?P<n>\d+)$")
_BROWSE_PATH = re.compile(r"/browse/(?P<key>[A-Z][A-Z0-9_]+-\d+)/?$")


@dataclass(frozen=True, slots=True)
class Reference:
    ticket: str  # the tracker's key: `OWNER/REPO#N` or `OPS-123`
    url: str  # the ticket's web page


def github_web_host(api_url: str) -> str:
    """`https://api.github.com` -> github.com; `https://HOST/api/v3` -> HOST."""
    if api_url.rstrip("/") == GITHUB_COM:
        return "github.com"
    return urlsplit(api_url).netloc.lower()


class GitHubReferences:
    def __init__(self, config: GitHubTrackerSection) -> None:
        self.host = github_web_host(config.api_url)
        self.hosts = {"github.com", "www.github.com"} if self.host == "github.com" else {self.host}
        self.default_repo = config.default_repo
        scheme = "https" if self.host == "github.com" else urlsplit(config.api_url).scheme
        self.web = f"{scheme}://{self.host}"

    def resolve(self, ticket: str | None, url: str | None) -> Reference | None:
        if url:
            parts = urlsplit(url)
            match = _ISSUE_PATH.match(parts.path)
            if parts.netloc.lower() in self.hosts and match:
                return Reference(f"{match['repo']}#{match['n']}", url)
            if _REPO_KEY.match(ticket or ""):
                return None  # the key was read from a link to another forge (GitLab, a host)
        if not ticket:
            return None
        if match := _REPO_KEY.match(ticket):
            return self._reference(match["repo"], match["n"])
        if (match := _HASH_KEY.match(ticket)) and self.default_repo:
            return self._reference(self.default_repo, match["n"])
        return None

    def _reference(self, repo: str, number: str) -> Reference:
        # /issues/N shows a pull request too (GitHub redirects), so one form serves both.
        return Reference(f"{repo}#{number}", f"{self.web}/{repo}/issues/{number}")


class JiraReferences:
    def __init__(self, config: JiraTrackerSection) -> None:
        self.base = config.url.rstrip("/")
        self.projects = set(config.project_keys) if config.project_keys is not None else None

    def resolve(self, ticket: str | None, url: str | None) -> Reference | None:
        key = ticket
        if url and (browse := _BROWSE_PATH.search(urlsplit(url).path)):
            key = browse["key"]
        elif url and ticket and not _JIRA_KEY.match(ticket):
            return None
        match = _JIRA_KEY.match(key or "")
        if not match or (self.projects is not None and match["project"] not in self.projects):
            return None
        return Reference(match[0], url or f"{self.base}/browse/{match[0]}")


def split_repo_key(ticket: str) -> tuple[str, str, int]:
    """`owner/repo#12` -> ("owner", "repo", 12)."""
    repo, number = ticket.rsplit("#", 1)
    owner, name = repo.split("/", 1)
    return owner, name, int(number)
