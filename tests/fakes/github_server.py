"""A fake GitHub (REST and GraphQL) on 127.0.0.1 for the tracker tests and bench P7.

- `GET /repos/{owner}/{repo}/issues/{n}` (also under `/api/v3`, as GitHub Enterprise Server
  serves it): the REST issue object in the shape of docs.github.com "Get an issue" (a pull
  request carries `pull_request.merged_at` and `draft`), with a strong `ETag`; a matching
  `If-None-Match` answers 304, which does not use up the rate limit. Anonymous callers get 60
  requests; the 61st answers 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0`.
- `POST /graphql` (`/api/graphql` for Enterprise): executed by graphql-core against a slice of
  GitHub's schema (repository, issueOrPullRequest, issues(filterBy: {since}), pullRequests
  ordered by UPDATED_AT, rateLimit), so a query GitHub would reject is rejected here too.
  Unknown repositories and numbers are errors of type NOT_FOUND, repositories whose
  organisation refuses the token are FORBIDDEN, each with its `path`, beside the partial data,
  as GitHub answers. Anonymous GraphQL is refused with 401, as on GitHub.
Every request is recorded; `fail(...)` makes the next N requests answer with a fault.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync

from fakes.local_server import LocalServer, QuickHandler

SCHEMA = build_schema("""
scalar DateTime
scalar URI
enum IssueState { OPEN CLOSED }
enum IssueStateReason { COMPLETED NOT_PLANNED DUPLICATE REOPENED }
enum PullRequestState { OPEN CLOSED MERGED }
enum PullRequestOrderField { CREATED_AT UPDATED_AT }
enum OrderDirection { ASC DESC }
input IssueOrder { field: PullRequestOrderField!, direction: OrderDirection! }
input IssueFilters { since: DateTime }
type Actor { login: String! }
type UserConnection { nodes: [Actor] }
type Milestone { dueOn: DateTime }
type Issue { number: Int! state: IssueState! stateReason: IssueStateReason closedAt: DateTime
  updatedAt: DateTime! url: URI! assignees(first: Int): UserConnection! milestone: Milestone }
type PullRequest { number: Int! state: PullRequestState! isDraft: Boolean! merged: Boolean!
  mergedAt: DateTime closedAt: DateTime updatedAt: DateTime! url: URI!
  assignees(first: Int): UserConnection! milestone: Milestone }
union IssueOrPullRequest = Issue | PullRequest
type IssueConnection { totalCount: Int! nodes: [Issue] }
type PullRequestConnection { totalCount: Int! nodes: [PullRequest] }
type Repository {
  issueOrPullRequest(number: Int!): IssueOrPullRequest
  issues(first: Int, filterBy: IssueFilters): IssueConnection!
  pullRequests(first: Int, orderBy: IssueOrder): PullRequestConnection!
}
type RateLimit { remaining: Int! resetAt: DateTime! }
type Query { repository(owner: String!, name: String!): Repository rateLimit: RateLimit }
""")
RESET_EPOCH = 4102444800  # 2100-01-01: the anonymous limit does not reset during a test


@dataclass
class Ticket:
    number: int
    pull: bool = False
    state: str = "open"  # issue: open | closed; pull request: open | closed | merged
    state_reason: str | None = None  # completed | not_planned | duplicate | reopened
    closed_at: str | None = None
    merged_at: str | None = None
    draft: bool = False
    assignees: list[str] = field(default_factory=list)
    due_on: str | None = None  # the milestone's due date
    updated_at: str = "2024-05-01T10:00:00Z"


class FakeGitHub(LocalServer):
    def __init__(self, repos: dict[str, list[Ticket]], *, token: str | None = "ghp_fake-token-123",
                 forbidden: tuple[str, ...] = (), anonymous_limit: int = 60) -> None:  # fmt: skip
        self.repos = {name: {t.number: t for t in tickets} for name, tickets in repos.items()}
        self.token, self.forbidden = token, set(forbidden)
        self.anonymous_left = anonymous_limit
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        super().__init__(_handler(self))

    def count(self, kind: str = "") -> int:
        """Requests made: all, or those whose path ends with `graphql` / starts REST."""
        if kind == "graphql":
            return sum(1 for _, p, _ in self.requests if p.endswith("graphql"))
        if kind == "rest":
            return sum(1 for _, p, _ in self.requests if not p.endswith("graphql"))
        return len(self.requests)

    # -- answers ----------------------------------------------------------------------------

    def issue_json(self, repo: str, t: Ticket) -> dict[str, Any]:
        """The REST issue object (docs.github.com/rest/issues/issues#get-an-issue)."""
        owner, name = repo.split("/")
        web = f"https://github.com/{repo}"
        kind = "pull" if t.pull else "issues"
        body: dict[str, Any] = {
            "url": f"https://api.github.com/repos/{repo}/issues/{t.number}",
            "repository_url": f"https://api.github.com/repos/{repo}",
            "html_url": f"{web}/{kind}/{t.number}",
            "id": 1000 + t.number,
            "node_id": f"I_kwDO{t.number}",
            "number": t.number,
            "title": f"Ticket {t.number}",
            "user": {"login": "octocat", "id": 1, "type": "User"},
            "labels": [],
            "state": "closed" if t.state in ("closed", "merged") else "open",
            "state_reason": t.state_reason,
            "locked": False,
            "assignee": {"login": t.assignees[0], "id": 2, "type": "User"} if t.assignees else None,
            "assignees": [{"login": a, "id": 2 + i, "type": "User"} for i, a in enumerate(t.assignees)],
            "milestone": {"number": 1, "title": "v1.0", "state": "open", "due_on": t.due_on}
            if t.due_on else None,
            "comments": 0,
            "created_at": "2024-04-01T09:00:00Z",
            "updated_at": t.updated_at,
            "closed_at": t.closed_at,
            "author_association": "MEMBER",
            "body": "",
        }  # fmt: skip
        if t.pull:
            body["draft"] = t.draft
            body["pull_request"] = {
                "url": f"https://api.github.com/repos/{owner}/{name}/pulls/{t.number}",
                "html_url": f"{web}/pull/{t.number}",
                "diff_url": f"{web}/pull/{t.number}.diff",
                "patch_url": f"{web}/pull/{t.number}.patch",
                "merged_at": t.merged_at,
            }
        return body

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        result = graphql_sync(SCHEMA, query, root_value=_Root(self), variable_values=variables)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [_github_error(e) for e in result.errors]
        return answer


class _NotFound(Exception):
    type = "NOT_FOUND"


class _Forbidden(Exception):
    type = "FORBIDDEN"


def _github_error(error: GraphQLError) -> dict[str, Any]:
    out = error.formatted
    original = error.original_error
    if original is not None and hasattr(original, "type"):
        out["type"] = original.type
    return out


class _Root:
    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake

    def repository(self, info: Any, owner: str, name: str) -> Any:
        repo = f"{owner}/{name}"
        if repo in self.fake.forbidden:
            raise _Forbidden(
                f"Resource protected by organization SAML enforcement. You must grant your "
                f"Personal Access token access to the {owner} organization."
            )
        if repo not in self.fake.repos:
            raise _NotFound(f"Could not resolve to a Repository with the name '{repo}'.")
        return _Repo(self.fake, repo)

    def rateLimit(self, info: Any) -> dict[str, Any]:
        return {"remaining": 4999, "resetAt": "2100-01-01T00:00:00Z"}


class _Repo:
    def __init__(self, fake: FakeGitHub, repo: str) -> None:
        self.fake, self.repo = fake, repo
        self.tickets = fake.repos[repo]

    def issueOrPullRequest(self, info: Any, number: int) -> Any:
        t = self.tickets.get(number)
        if t is None:
            raise _NotFound(
                f"Could not resolve to an issue or pull request with the number of {number}."
            )
        return _node(self.repo, t)

    def issues(self, info: Any, first: int = 100, filterBy: Any = None) -> dict[str, Any]:
        since = (filterBy or {}).get("since")
        found = [
            t
            for t in self.tickets.values()
            if not t.pull and (since is None or t.updated_at >= _z(since))
        ]
        return {"totalCount": len(found), "nodes": [_node(self.repo, t) for t in found[:first]]}

    def pullRequests(self, info: Any, first: int = 100, orderBy: Any = None) -> dict[str, Any]:
        found = sorted(
            (t for t in self.tickets.values() if t.pull), key=lambda t: t.updated_at, reverse=True
        )
        return {"totalCount": len(found), "nodes": [_node(self.repo, t) for t in found[:first]]}


def _z(value: str) -> str:
    """A DateTime variable as the fixtures write times (`…Z`), for string comparison."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node(repo: str, t: Ticket) -> dict[str, Any]:
    common = {
        "number": t.number,
        "closedAt": t.closed_at,
        "updatedAt": t.updated_at,
        "assignees": {"nodes": [{"login": a} for a in t.assignees]},
        "milestone": {"dueOn": t.due_on} if t.due_on else None,
    }
    if t.pull:
        return {**common, "__typename": "PullRequest", "state": t.state.upper(),
                "isDraft": t.draft, "merged": t.state == "merged", "mergedAt": t.merged_at,
                "url": f"https://github.com/{repo}/pull/{t.number}"}  # fmt: skip
    return {**common, "__typename": "Issue", "state": t.state.upper(),
            "stateReason": t.state_reason.upper() if t.state_reason else None,
            "url": f"https://github.com/{repo}/issues/{t.number}"}  # fmt: skip


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(QuickHandler):
        def _send(
            self, status: int, body: Any = None, headers: dict[str, str] | None = None
        ) -> None:
            with fake._lock:
                fake.requests.append((self.command, self.path, status))
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _fault(self) -> bool:
            fault = fake.next_fault()
            if fault:
                self._send(fault.status, fault.body or {"message": "fault"}, fault.headers)
            return fault is not None

        def _auth(self) -> str | None:
            """'ok', 'anonymous', or None after answering 401."""
            header = self.headers.get("Authorization")
            if header is None:
                return "anonymous"
            if fake.token and header in (f"Bearer {fake.token}", f"token {fake.token}"):
                return "ok"
            self._send(401, {"message": "Bad credentials",
                             "documentation_url": "https://docs.github.com/rest"})  # fmt: skip
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if self._fault():
                return
            who = self._auth()
            if who is None:
                return
            if who == "anonymous":
                self._send(401, {"message": "This endpoint requires you to be authenticated.",
                                 "documentation_url": "https://docs.github.com/graphql"})  # fmt: skip
                return
            if not self.path.endswith("/graphql"):
                self._send(404, {"message": "Not Found"})
                return
            self._send(200, fake.graphql(request["query"], request.get("variables") or {}))

        def do_GET(self) -> None:
            if self._fault():
                return
            who = self._auth()
            if who is None:
                return
            path = self.path.split("?")[0].removeprefix("/api/v3")
            parts = path.strip("/").split("/")
            if len(parts) != 5 or parts[0] != "repos" or parts[3] != "issues":
                self._send(404, {"message": "Not Found"})
                return
            repo, number = f"{parts[1]}/{parts[2]}", int(parts[4])
            limit = {"x-ratelimit-limit": "60" if who == "anonymous" else "5000",
                     "x-ratelimit-reset": str(RESET_EPOCH)}  # fmt: skip
            if who == "anonymous" and fake.anonymous_left <= 0:
                limit["x-ratelimit-remaining"] = "0"
                self._send(403, {"message": "API rate limit exceeded for 127.0.0.1. (But here's "
                                 "the good news: Authenticated requests get a higher rate limit.)",
                                 "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"},
                           limit)  # fmt: skip
                return
            ticket = fake.repos.get(repo, {}).get(number)
            if repo in fake.forbidden:
                status, body = (
                    403,
                    {"message": "Resource protected by organization SAML enforcement."},
                )
            elif ticket is None:
                status, body = 404, {"message": "Not Found",
                                     "documentation_url": "https://docs.github.com/rest/issues/issues#get-an-issue"}  # fmt: skip
            else:
                status, body = 200, fake.issue_json(repo, ticket)
            etag = '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                limit["x-ratelimit-remaining"] = str(max(fake.anonymous_left, 0))
                self._send(304, None, {**limit, "ETag": etag})
                return
            if who == "anonymous":
                fake.anonymous_left -= 1
                limit["x-ratelimit-remaining"] = str(fake.anonymous_left)
            else:
                limit["x-ratelimit-remaining"] = "4999"
            self._send(status, body, {**limit, "ETag": etag} if status == 200 else limit)

    return Handler
