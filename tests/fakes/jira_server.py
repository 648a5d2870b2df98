"""A fake Jira (REST v2) on 127.0.0.1 for the tracker tests and bench P7.

- `GET /rest/api/2/search` (Server / Data Center: `startAt`, `maxResults`, `total`,
  `validateQuery`) and `GET /rest/api/2/search/jql` (Cloud's enhanced search: `nextPageToken`,
  `isLast`), answering issues in the shape of the Jira REST docs ("Search for issues using
  JQL"): `fields.status.statusCategory.key`, `resolution.name`, `resolutiondate`
  (`2024-05-03T11:00:00.000+0000`), `assignee.displayName`, `duedate`, `updated`.
- `GET /rest/api/2/myself`.
JQL is parsed for the two queries pmdash writes: `key in (A-1, B-2)` and
`project in (A, B) and updated >= -Nm order by updated`; anything else is a 400. A key the
fake does not know (or hides from the account) makes the query a 400 "An issue with key 'X'
does not exist for field 'key'." unless `validateQuery=warn`, where it becomes a warning, as
Jira does. `maxResults` is capped at 100. Basic (email + API token) or Bearer auth; 401
otherwise. `fail(...)` makes the next N requests answer with a fault (e.g. 429 Retry-After).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.local_server import LocalServer, QuickHandler

CATEGORIES = {"new": (2, "To Do", "blue-gray"), "indeterminate": (4, "In Progress", "yellow"),
              "done": (3, "Done", "green")}  # fmt: skip
_KEYS = re.compile(r"^key in \(([^)]*)\)$")
_UPDATED = re.compile(r"^project in \(([^)]*)\) and updated >= -(\d+)m order by updated$")


@dataclass
class Issue:
    key: str
    status: str = "To Do"
    category: str = "new"  # new | indeterminate | done
    resolution: str | None = None
    resolutiondate: str | None = None
    assignee: str | None = None
    duedate: str | None = None
    updated: str = "2024-05-01T10:00:00.000+0000"


class FakeJira(LocalServer):
    def __init__(self, issues: list[Issue], *, basic: tuple[str, str] | None = ("jane@example.com", "jira-api-token-456"),
                 bearer: str | None = None, hidden: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.issues = {i.key: i for i in issues}
        self.basic, self.bearer = basic, bearer
        self.hidden = set(hidden)  # keys the account may not see: absent, as in Jira
        self.requests: list[tuple[str, dict[str, str], int]] = []  # (path, query, status)
        super().__init__(_handler(self))

    def issue_json(self, issue: Issue) -> dict[str, Any]:
        cat_id, cat_name, colour = CATEGORIES[issue.category]
        number = int(issue.key.split("-")[1])
        fields: dict[str, Any] = {
            "status": {
                "self": f"{self.root}/rest/api/2/status/{cat_id}",
                "description": "", "iconUrl": f"{self.root}/images/icons/statuses/generic.png",
                "name": issue.status, "id": str(10000 + cat_id),
                "statusCategory": {"self": f"{self.root}/rest/api/2/statuscategory/{cat_id}",
                                   "id": cat_id, "key": issue.category, "colorName": colour,
                                   "name": cat_name},
            },
            "resolution": {"self": f"{self.root}/rest/api/2/resolution/1", "id": "10000",
                           "description": "", "name": issue.resolution} if issue.resolution else None,
            "resolutiondate": issue.resolutiondate,
            "assignee": {"self": f"{self.root}/rest/api/2/user?accountId=5b10a2844c20165700ede21g",
                         "accountId": "5b10a2844c20165700ede21g", "displayName": issue.assignee,
                         "active": True, "timeZone": "Europe/Berlin"} if issue.assignee else None,
            "duedate": issue.duedate,
            "updated": issue.updated,
        }  # fmt: skip
        return {"expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
                "id": str(10000 + number), "self": f"{self.root}/rest/api/2/issue/{10000 + number}",
                "key": issue.key, "fields": fields}  # fmt: skip

    def search(self, jql: str) -> tuple[list[Issue], list[str]]:
        """(issues, keys the query names that the account cannot see)."""
        if m := _KEYS.match(jql):
            keys = [k.strip() for k in m[1].split(",")]
            unknown = [k for k in keys if k not in self.issues or k in self.hidden]
            return [self.issues[k] for k in keys if k not in unknown], unknown
        if m := _UPDATED.match(jql):
            projects = {p.strip() for p in m[1].split(",")}
            since = datetime.now(UTC) - timedelta(minutes=int(m[2]))
            found = [i for i in self.issues.values() if i.key.split("-")[0] in projects
                     and i.key not in self.hidden and _time(i.updated) >= since]  # fmt: skip
            return sorted(found, key=lambda i: i.updated), []
        raise ValueError(jql)


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _handler(fake: FakeJira) -> type[BaseHTTPRequestHandler]:
    class Handler(QuickHandler):
        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
                  query: dict[str, str] | None = None) -> None:  # fmt: skip
            with fake._lock:
                fake.requests.append((urlsplit(self.path).path, query or {}, status))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            ok = False
            if fake.basic and header.startswith("Basic "):
                ok = base64.b64decode(header[6:]).decode() == ":".join(fake.basic)
            if fake.bearer and header == f"Bearer {fake.bearer}":
                ok = True
            return ok

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            fault = fake.next_fault()
            if fault:
                self._send(fault.status, fault.body or {"errorMessages": ["fault"], "errors": {}},
                           fault.headers, query)  # fmt: skip
                return
            if not self._authorised():
                self._send(401, {"errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": {}}, query=query)  # fmt: skip
                return
            if parts.path == "/rest/api/2/myself":
                self._send(
                    200,
                    {"accountId": "5b10a2844c20165700ede21g", "displayName": "Jane"},
                    query=query,
                )
                return
            if parts.path not in ("/rest/api/2/search", "/rest/api/2/search/jql"):
                self._send(404, {"errorMessages": ["Not found"], "errors": {}}, query=query)
                return
            try:
                issues, unknown = fake.search(query.get("jql", ""))
            except ValueError:
                self._send(
                    400, {"errorMessages": ["Error in the JQL Query."], "errors": {}}, query=query
                )
                return
            warn = query.get("validateQuery") == "warn"
            messages = [f"An issue with key '{k}' does not exist for field 'key'." for k in unknown]
            if unknown and not warn:
                self._send(400, {"errorMessages": messages, "errors": {}}, query=query)
                return
            limit = min(int(query.get("maxResults", 50)), 100)
            if parts.path.endswith("/jql"):
                start = int(query.get("nextPageToken", "0"))
                page = issues[start : start + limit]
                last = start + limit >= len(issues)
                body: dict[str, Any] = {
                    "issues": [fake.issue_json(i) for i in page],
                    "isLast": last,
                }
                if not last:
                    body["nextPageToken"] = str(start + limit)
            else:
                start = int(query.get("startAt", 0))
                page = issues[start : start + limit]
                body = {"expand": "schema,names", "startAt": start, "maxResults": limit,
                        "total": len(issues), "issues": [fake.issue_json(i) for i in page]}  # fmt: skip
                if messages:
                    body["warningMessages"] = messages
            self._send(200, body, query=query)

    return Handler
