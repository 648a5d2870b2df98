"""GitHub issues and pull requests, through githubkit (SPEC §4.4).

Why githubkit rather than PyGithub: it speaks GraphQL as a first-class call
(`github.graphql.request`, with the partial data of a failed query kept on the exception), its
retry policy is a function we supply (so a spent rate limit is never slept through and every
retry is bounded), it counts requests through httpx event hooks, and `base_url` serves GitHub
Enterprise Server (it finds `/api/graphql` from `/api/v3` itself). PyGithub reaches GraphQL only
through its raw requester, and its default retry sleeps until the rate limit resets.

- With a token: issues and pull requests are looked up by GraphQL, at most 100 a request, as
  `issueOrPullRequest` (an `/issues/N` link may name a pull request). A re-sync first asks
  each repository which issues and pull requests changed since the last look-up, in one
  request for up to 25 repositories, and asks only for those.
- Without a token (GraphQL refuses anonymous callers): one REST request per ticket, with
  `If-None-Match` so an unchanged ticket answers 304, which GitHub does not count. When the
  anonymous limit (60 an hour) runs out, the look-up stops at once (LookupStopped).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from githubkit import GitHub
from githubkit.exception import (
    GitHubException,
    GraphQLFailed,
    PrimaryRateLimitExceeded,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
)
from githubkit.retry import RetryOption

from loaders.config_schema import GitHubTrackerSection
from loaders.model import ConfigError, SourceError
from loaders.trackers.answers import Answer, LookupStopped, parse_time
from loaders.trackers.references import split_repo_key

BATCH = 100  # GitHub's limit on the nodes of one connection, and ours per look-up request
PROBE_REPOS = 25  # repositories asked "what changed?" in one request
MAX_RETRIES = 3
RETRY_DELAY_SECONDS = 1.0  # the first wait after a 5xx or a timeout; doubled each time
MAX_RETRY_AFTER = timedelta(seconds=60)  # a longer wait is a spent limit: stop, do not sleep
TIMEOUT_SECONDS = 30.0

_FIELDS = """
fragment T on IssueOrPullRequest {
  __typename
  ... on Issue { issueState: state stateReason closedAt updatedAt url
    assignees(first: 1) { nodes { login } } milestone { dueOn } }
  ... on PullRequest { pullState: state isDraft merged mergedAt closedAt updatedAt url
    assignees(first: 1) { nodes { login } } milestone { dueOn } }
}
"""


class GitHubTracker:
    kind = "github"

    def __init__(self, config: GitHubTrackerSection) -> None:
        token = None
        if config.token_env:
            token = os.environ.get(config.token_env)
            if not token:
                raise ConfigError(
                    f"[trackers.github] token_env names {config.token_env}, which is not set; "
                    "set it, or leave token_env out to read public repositories anonymously."
                )
        self.token_env = config.token_env
        self.anonymous = token is None
        self.requests = 0
        self._remaining: int | None = None  # the rate limit left, from the last answer
        self._resets_at: datetime | None = None
        self.github: GitHub = GitHub(
            token,  # None reads anonymously
            base_url=config.api_url.rstrip("/") + "/",
            auto_retry=self._retry,
            http_cache=False,  # ETags live in the store, across syncs
            timeout=TIMEOUT_SECONDS,
            event_hooks={"request": [self._count], "response": [self._note_limit]},
        )
        # Inside its context githubkit keeps one HTTP client (connections, TLS) for every
        # request; outside it builds a new one per request.
        self.github.__enter__()

    def close(self) -> None:
        self.github.__exit__(None, None, None)

    # -- what the step asks -----------------------------------------------------------------

    def look_up(self, tickets: list[str], known: dict[str, Answer]) -> Iterator[Answer]:
        """An answer for every ticket, in batches; raises LookupStopped when the limit is spent."""
        if self.anonymous:
            for ticket in tickets:
                yield self._rest_one(ticket, known.get(ticket))
            return
        for start in range(0, len(tickets), BATCH):
            yield from self._graphql_batch(tickets[start : start + BATCH])

    def changed_since(self, tickets: list[str], since: datetime) -> set[str] | None:
        """Which of `tickets` changed since `since`, or None when GitHub cannot say cheaply
        (anonymous callers have no GraphQL)."""
        if self.anonymous:
            return None
        by_repo: dict[str, list[str]] = {}
        for ticket in tickets:
            by_repo.setdefault(ticket.rsplit("#", 1)[0], []).append(ticket)
        changed: set[str] = set()
        repos = sorted(by_repo)
        for start in range(0, len(repos), PROBE_REPOS):
            chunk = repos[start : start + PROBE_REPOS]
            for repo, numbers in self._probe(chunk, since).items():
                wanted = by_repo[repo]
                changed |= set(wanted) if numbers is None else {
                    t for t in wanted if int(t.rsplit("#", 1)[1]) in numbers
                }  # fmt: skip
        return changed

    # -- GraphQL ----------------------------------------------------------------------------

    def _graphql_batch(self, tickets: list[str]) -> Iterator[Answer]:
        repos: dict[tuple[str, str], list[int]] = {}
        for ticket in tickets:
            owner, name, number = split_repo_key(ticket)
            repos.setdefault((owner, name), []).append(number)
        variables: dict[str, Any] = {}
        parts = []
        for i, ((owner, name), numbers) in enumerate(repos.items()):
            variables[f"o{i}"], variables[f"n{i}"] = owner, name
            inner = " ".join(f"t{n}: issueOrPullRequest(number: {n}) {{ ...T }}" for n in numbers)
            parts.append(f"r{i}: repository(owner: $o{i}, name: $n{i}) {{ {inner} }}")
        declared = ", ".join(f"${k}: String!" for k in variables)
        query = f"query({declared}) {{ {' '.join(parts)} }}\n{_FIELDS}"
        data, errors = self._graphql(query, variables)
        for i, ((owner, name), numbers) in enumerate(repos.items()):
            repo = (data or {}).get(f"r{i}")
            for n in numbers:
                ticket = f"{owner}/{name}#{n}"
                node = repo.get(f"t{n}") if repo else None
                if node:
                    yield _from_graphql(ticket, node)
                else:
                    kind = errors.get((f"r{i}", f"t{n}")) or errors.get((f"r{i}",))
                    yield Answer(ticket, "forbidden" if kind == "FORBIDDEN" else "not_found")

    def _probe(self, repos: list[str], since: datetime) -> dict[str, set[int] | None]:
        """repo -> numbers of issues and pull requests updated since `since` (None: too many
        or unreadable, so every ticket of the repository is asked)."""
        variables: dict[str, Any] = {"since": since.replace(tzinfo=UTC).isoformat()}
        parts = []
        for i, repo in enumerate(repos):
            variables[f"o{i}"], variables[f"n{i}"] = repo.split("/", 1)
            parts.append(
                f"p{i}: repository(owner: $o{i}, name: $n{i}) {{"
                " issues(first: 100, filterBy: {since: $since}) { totalCount nodes { number } }"
                " pullRequests(first: 100, orderBy: {field: UPDATED_AT, direction: DESC})"
                " { nodes { number updatedAt } } }"
            )
        declared = ", ".join(f"${k}: String!" for k in variables if k != "since")
        query = f"query($since: DateTime!, {declared}) {{ {' '.join(parts)} }}"
        data, _ = self._graphql(query, variables)
        stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        found: dict[str, set[int] | None] = {}
        for i, repo in enumerate(repos):
            node = (data or {}).get(f"p{i}")
            if not node:
                found[repo] = None
                continue
            issues = node["issues"]
            pulls = [
                p for p in node["pullRequests"]["nodes"] if p["updatedAt"] >= stamp
            ]  # ISO times in UTC compare as text
            if issues["totalCount"] > len(issues["nodes"]) or len(pulls) == BATCH:
                found[repo] = None
            else:
                found[repo] = {n["number"] for n in issues["nodes"]} | {p["number"] for p in pulls}
        return found

    def _graphql(
        self, query: str, variables: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[tuple[str, ...], str]]:
        """(data, {path: error type}); errors on single nodes keep the rest of the data."""
        try:
            return self.github.graphql.request(query, variables), {}
        except GraphQLFailed as e:
            found = e.response.errors or []
            if e.response.data is None:  # the query itself was refused: nothing was looked up
                first = found[0].message if found else "no reason given"
                raise SourceError(f"GitHub refused the look-up query: {first}",
                                  title="GitHub could not be asked about the tickets") from None  # fmt: skip
            errors = {tuple(str(p) for p in (err.path or ())): err.type or "" for err in found}
            return e.response.data, errors
        except GitHubException as e:
            raise self._failure(e) from None

    # -- REST (anonymous) -------------------------------------------------------------------

    def _rest_one(self, ticket: str, known: Answer | None) -> Answer:
        if self._remaining == 0:
            raise LookupStopped(self._spent(), self._resets_at)
        owner, name, number = split_repo_key(ticket)
        headers = {"If-None-Match": known.etag} if known and known.etag else {}
        try:
            response = self.github.rest.issues.get(owner, name, number, headers=headers)
        except PrimaryRateLimitExceeded:
            raise LookupStopped(self._spent(), self._resets_at) from None
        except RequestFailed as e:
            status = e.response.status_code
            if status in (404, 410):
                return Answer(ticket, "not_found")
            if status == 403:
                return Answer(ticket, "forbidden")
            raise self._failure(e) from None
        except GitHubException as e:
            raise self._failure(e) from None
        if response.status_code == 304 and known is not None:
            return known  # unchanged: GitHub did not count it against the limit
        answer = _from_rest(ticket, response.raw_response.json())
        answer.etag = response.headers.get("etag")
        return answer

    # -- plumbing ---------------------------------------------------------------------------

    def _count(self, request: httpx.Request) -> None:
        self.requests += 1

    def _note_limit(self, response: httpx.Response) -> None:
        if "x-ratelimit-remaining" in response.headers:
            self._remaining = int(response.headers["x-ratelimit-remaining"])
        if "x-ratelimit-reset" in response.headers:
            reset = int(response.headers["x-ratelimit-reset"])
            self._resets_at = datetime.fromtimestamp(reset, UTC).replace(tzinfo=None)

    def _spent(self) -> str:
        limit = "anonymous rate limit" if self.anonymous else "rate limit"
        when = f"; it resets at {self._resets_at:%Y-%m-%d %H:%M} UTC" if self._resets_at else ""
        return f"GitHub's {limit} ran out{when}"

    def _retry(self, exc: GitHubException, count: int) -> RetryOption:
        """Bounded retries: a short Retry-After (429, secondary limit) is honoured, a 5xx or a
        timeout waits 1, 2, 4 × retry_delay; a spent primary limit is never waited for."""
        if count >= MAX_RETRIES or isinstance(exc, PrimaryRateLimitExceeded):
            return RetryOption(False)
        if isinstance(exc, RateLimitExceeded):
            if exc.retry_after > MAX_RETRY_AFTER:
                return RetryOption(False)
            # githubkit sleeps 60 s for a zero wait; a millisecond keeps "now" meaning now.
            return RetryOption(True, max(exc.retry_after, timedelta(milliseconds=1)))
        failed = isinstance(exc, RequestFailed) and exc.response.status_code >= 500
        if failed or (isinstance(exc, RequestError) and not isinstance(exc, RequestFailed)):
            return RetryOption(True, timedelta(seconds=RETRY_DELAY_SECONDS * 2**count))
        return RetryOption(False)

    def _failure(self, e: GitHubException) -> SourceError:
        """One line for the person: what GitHub said and what to check."""
        title = "GitHub could not be asked about the tickets"
        if isinstance(e, RateLimitExceeded):
            return SourceError(self._spent(), title=title)
        if isinstance(e, RequestFailed):
            status = e.response.status_code
            if status in (401, 403):
                where = f"the token in ${self.token_env}" if self.token_env else "anonymous access"
                return SourceError(
                    f"GitHub refused {where} ({status} {e.response.reason_phrase}): check that "
                    "the token is valid and may read the repositories.",
                    title=title,
                )
            return SourceError(f"GitHub answered {status} {e.response.reason_phrase}.", title=title)
        return SourceError(f"GitHub could not be reached ({type(e).__name__}).", title=title)


def _found(ticket: str, assignees: list[dict[str, Any]], due_on: str | None, url: str | None,
           updated_at: str | None) -> Answer:  # fmt: skip
    """The fields issues and pull requests share: first assignee, milestone due date (UTC)."""
    due = parse_time(due_on)
    return Answer(ticket, "found", owner=assignees[0]["login"] if assignees else None,
                  due_date=due.date() if due else None, url=url, updated_at=parse_time(updated_at))  # fmt: skip


def _from_graphql(ticket: str, node: dict[str, Any]) -> Answer:
    assignees = (node.get("assignees") or {}).get("nodes") or []
    due_on = (node.get("milestone") or {}).get("dueOn")
    answer = _found(ticket, assignees, due_on, node.get("url"), node.get("updatedAt"))
    if node["__typename"] == "PullRequest":
        state = node["pullState"]
        _pull_status(answer, state == "OPEN", node.get("merged"), node.get("mergedAt"))
        answer.status_detail = f"pull request {state}" + (" (draft)" if node.get("isDraft") else "")
    else:
        _issue_status(answer, node["issueState"], node.get("stateReason"), node.get("closedAt"))
    return answer


def _from_rest(ticket: str, issue: dict[str, Any]) -> Answer:
    due_on = (issue.get("milestone") or {}).get("due_on")
    answer = _found(
        ticket, issue.get("assignees") or [], due_on, issue.get("html_url"), issue.get("updated_at")
    )
    pull = issue.get("pull_request")
    if pull is not None:
        merged_at = pull.get("merged_at")
        _pull_status(answer, issue["state"] == "open", merged_at is not None, merged_at)
        state = "MERGED" if merged_at else issue["state"].upper()
        answer.status_detail = f"pull request {state}" + (" (draft)" if issue.get("draft") else "")
    else:
        _issue_status(
            answer, issue["state"].upper(), issue.get("state_reason"), issue.get("closed_at")
        )
    return answer


def _issue_status(answer: Answer, state: str, reason: str | None, closed_at: str | None) -> None:
    """Open -> open; closed as completed (or without a reason) -> done; closed as not planned
    or as a duplicate -> wont_do (the work is not done here)."""
    reason = (reason or "").upper() or None
    answer.status_detail = f"issue {state}" + (f"/{reason}" if reason else "")
    if state == "OPEN":
        answer.status = "open"
    else:
        answer.status = "wont_do" if reason in ("NOT_PLANNED", "DUPLICATE") else "done"
        answer.closed_at = parse_time(closed_at)


def _pull_status(answer: Answer, is_open: bool, merged: bool | None, merged_at: str | None) -> None:
    """Open or draft -> in_progress; merged -> done at the merge; closed unmerged -> open (the
    fix did not ship, so it has no closing time)."""
    if is_open:
        answer.status = "in_progress"
    elif merged:
        answer.status, answer.closed_at = "done", parse_time(merged_at)
    else:
        answer.status = "open"
