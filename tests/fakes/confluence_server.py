"""A fake Confluence Cloud (REST v1) on 127.0.0.1, mounted under /wiki, for loader tests.

It answers what the Confluence source asks, in the shapes of API-NOTES §5 (real Cloud v1):
- `GET /wiki/rest/api/search?cql=&start=&limit=&expand=&cursor=`: SearchResult wrappers
  (`results[i].content`) with `_links.base`, `_links.context = "/wiki"` and a Cloud-style
  `_links.next` relative to the context (`/rest/api/search?…&cursor=…`), so a client that drops
  `/wiki` gets a 404. Cursors are opaque and must have been issued by this server.
- `GET /wiki/rest/api/content/{id}?expand=`: Content with `body.storage`, `version`,
  `metadata.labels`, `history` as asked.
- `GET /wiki/rest/api/user?accountId=|key=|username=`: a user, or 404.
CQL is parsed for the clauses the loader writes (`field op value` joined by `and`,
parentheses, `now("-Nm")`, `order by`); anything else is a 400 `Could not parse cql`.
Errors use the v1 body `{"statusCode", "data", "message", "reason"}`. Every request is
recorded; `fail(...)` makes the next N requests to an endpoint answer with a fault.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "confluence"
CONTEXT = "/wiki"
API = f"{CONTEXT}/rest/api"


@dataclass
class FakePage:
    id: str
    title: str
    storage: str
    labels: list[str]
    space: str = "ENG"
    type: str = "page"
    version: int = 1
    when: str = "2024-01-01T00:00:00.000Z"
    created: str = "2024-01-01T00:00:00.000Z"


@dataclass
class Fault:
    endpoint: str  # search | content | user | any
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0  # seconds to wait before answering (a client timeout)


@dataclass
class Recorded:
    endpoint: str
    path: str
    query: dict[str, str]
    authorization: str


def load_space(name: str = "space.json") -> tuple[list[FakePage], dict[str, str]]:
    """Pages (bodies from the .xhtml fixtures) and users (id -> display name) of a fixture."""
    raw = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    pages = []
    for entry in raw["pages"]:
        storage = (FIXTURES / entry.pop("storage_file")).read_text(encoding="utf-8")
        pages.append(FakePage(storage=storage, **entry))
    return pages, raw["users"]


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeConfluence:
    def __init__(
        self,
        pages: list[FakePage],
        users: dict[str, str] | None = None,
        *,
        basic: tuple[str, str] | None = ("jane@example.com", "secret-api-token-123"),
        bearer: str | None = None,
        max_limit: int = 1000,
        search_bodies: bool = True,
    ) -> None:
        self.pages = {p.id: p for p in pages}
        self.users = users or {}
        self.basic, self.bearer, self.max_limit = basic, bearer, max_limit
        self.search_bodies = search_bodies  # False: search ignores `content.body.storage`
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._cursors: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle and test controls ----------------------------------------------------------

    def __enter__(self) -> FakeConfluence:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.root + CONTEXT

    def fail(self, endpoint: str, status: int, times: int = 1, **kwargs: Any) -> None:
        self.faults.append(Fault(endpoint, status, times, **kwargs))

    def count(self, endpoint: str | None = None) -> int:
        return sum(1 for r in self.requests if endpoint is None or r.endpoint == endpoint)

    def reset_counts(self) -> None:
        self.requests.clear()

    def edit(self, page_id: str, **changes: Any) -> None:
        """A new version of a page, saved now."""
        page = self.pages[page_id]
        for key, value in changes.items():
            setattr(page, key, value)
        page.version += 1
        page.when = now_stamp()

    # -- request handling ---------------------------------------------------------------------

    def handle(self, path: str, query: dict[str, str], authorization: str) -> tuple[int, dict, Any]:
        endpoint = _endpoint(path)
        with self._lock:
            self.requests.append(Recorded(endpoint, path, query, authorization))
            fault = next(
                (f for f in self.faults if f.endpoint in (endpoint, "any") and f.times), None
            )
            if fault:
                fault.times -= 1
        if fault:
            time.sleep(fault.delay)
            body = fault.body if fault.body is not None else _error(fault.status, "Fault")
            return fault.status, fault.headers, body
        if not self._authorized(authorization):
            return 401, {}, _error(401, "Client must be authenticated to access this resource.")
        if endpoint == "search":
            return self._search(query)
        if endpoint == "content":
            return self._content(path.rsplit("/", 1)[-1], query)
        if endpoint == "user":
            return self._user(query)
        return 404, {"Content-Type": "text/html"}, "<html><body>Page not found</body></html>"

    def _authorized(self, authorization: str) -> bool:
        if self.bearer is not None:
            return authorization == f"Bearer {self.bearer}"
        assert self.basic is not None
        expected = base64.b64encode(":".join(self.basic).encode()).decode()
        return authorization == f"Basic {expected}"

    def _search(self, query: dict[str, str]) -> tuple[int, dict, Any]:
        cql = query.get("cql", "")
        try:
            condition, order = parse_cql(cql)
        except ValueError as e:
            return 400, {}, _error(400, f"Could not parse cql : {cql} ({e})")
        limit = min(int(query.get("limit", 25)), self.max_limit)
        start = int(query.get("start", 0))
        cursor = query.get("cursor")
        if cursor is not None:
            if cursor not in self._cursors:
                return 400, {}, _error(400, "Invalid cursor")
            start = self._cursors[cursor]
        with self._lock:
            found = [p for p in self.pages.values() if condition(p)]
        if order:
            found.sort(key=lambda p: (getattr(p, order), p.id))
        expand = set(filter(None, query.get("expand", "").split(",")))
        if not self.search_bodies:
            expand.discard("content.body.storage")
        chunk = found[start : start + limit]
        links = {"base": self.url, "context": CONTEXT, "self": f"{self.url}/rest/api/search"}
        if start + limit < len(found):
            token = secrets.token_urlsafe(8)
            self._cursors[token] = start + limit
            params = {"next": "true", "cursor": token, "expand": query.get("expand", "")}
            params |= {"limit": limit, "start": start + limit, "cql": cql}
            links["next"] = "/rest/api/search?" + urlencode(params, quote_via=quote_plus)
        body = {
            "results": [self._result(p, expand) for p in chunk],
            "start": start, "limit": limit, "size": len(chunk), "totalSize": len(found),
            "cqlQuery": cql, "searchDuration": 12, "_links": links,
        }  # fmt: skip
        return 200, {}, body

    def _result(self, page: FakePage, expand: set[str]) -> dict:
        content = self._content_json(page, {e.removeprefix("content.") for e in expand})
        return {
            "content": content, "title": page.title, "excerpt": "", "url": content["_links"]["webui"],
            "resultGlobalContainer": {"title": page.space, "displayUrl": f"/spaces/{page.space}"},
            "breadcrumbs": [], "entityType": "content", "iconCssClass": "aui-icon content-type-page",
            "lastModified": page.when, "friendlyLastModified": page.when[:10], "score": 0.0,
        }  # fmt: skip

    def _content(self, page_id: str, query: dict[str, str]) -> tuple[int, dict, Any]:
        page = self.pages.get(page_id)
        if page is None:
            return 404, {}, _error(404, f"No content found with id: ContentId{{id={page_id}}}")
        expand = set(filter(None, query.get("expand", "").split(",")))
        return 200, {}, self._content_json(page, expand)

    def _content_json(self, page: FakePage, expand: set[str]) -> dict:
        webui = f"/spaces/{page.space}/pages/{page.id}/{quote_plus(page.title)}"
        content: dict[str, Any] = {
            "id": page.id, "type": page.type, "status": "current", "title": page.title,
            "_expandable": {"space": f"/rest/api/space/{page.space}", "children": f"/rest/api/content/{page.id}/child"},
            "_links": {"webui": webui, "tinyui": f"/x/{page.id}", "self": f"{self.url}/rest/api/content/{page.id}"},
        }  # fmt: skip
        if "version" in expand:
            content["version"] = {
                "by": {"type": "known", "accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Jane Doe"},
                "when": page.when, "friendlyWhen": page.when[:10], "message": "",
                "number": page.version, "minorEdit": False,
            }  # fmt: skip
        if "body.storage" in expand:
            content["body"] = {"storage": {"value": page.storage, "representation": "storage",
                                           "embeddedContent": []}}  # fmt: skip
        if "metadata.labels" in expand:
            results = [{"prefix": "global", "name": n, "id": str(900 + i), "label": n}
                       for i, n in enumerate(page.labels)]  # fmt: skip
            content["metadata"] = {"labels": {"results": results, "start": 0, "limit": 200,
                                              "size": len(results)}}  # fmt: skip
        if "history" in expand:
            content["history"] = {"latest": True, "createdDate": page.created}
        return content

    def _user(self, query: dict[str, str]) -> tuple[int, dict, Any]:
        key = query.get("accountId") or query.get("key") or query.get("username") or ""
        name = self.users.get(key)
        if name is None:
            return 404, {}, _error(404, f"No user found with key: {key}")
        return 200, {}, {"type": "known", "accountId": key, "displayName": name, "publicName": name}


def _endpoint(path: str) -> str:
    if path == f"{API}/search":
        return "search"
    if re.fullmatch(rf"{API}/content/\d+", path):
        return "content"
    if path == f"{API}/user":
        return "user"
    return "other"


def _error(status: int, message: str) -> dict:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               429: "Too Many Requests", 500: "Internal Server Error"}  # fmt: skip
    return {
        "statusCode": status,
        "data": {"authorized": status not in (401, 403), "valid": True, "errors": [], "successful": False},
        "message": message,
        "reason": reasons.get(status, "Error"),
    }  # fmt: skip


def _handler(fake: FakeConfluence) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            status, headers, body = fake.handle(
                parts.path, query, self.headers.get("Authorization", "")
            )
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            headers = {"Content-Type": "application/json;charset=UTF-8", **headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # A client that gave up waiting (a timeout test) has closed the connection.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# -- CQL ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>!=|>=|<=|=|>|<|~|\(|\))|(?P<word>[A-Za-z_][\w.]*(?:\("[^"]*"\))?))'
)
_FIELDS = {"type", "space", "label", "title", "lastmodified", "created"}


def parse_cql(cql: str) -> tuple[Any, str | None]:
    """(predicate over FakePage, order-by attribute) for the CQL subset the loader writes."""
    text, order = cql, None
    match = re.search(r"\s+order\s+by\s+(\w+)(?:\s+(asc|desc))?\s*$", cql, re.IGNORECASE)
    if match:
        text, order = (
            cql[: match.start()],
            {"created": "created", "lastmodified": "when"}.get(match[1].lower()),
        )
        if order is None:
            raise ValueError(f"cannot order by {match[1]}")
    tokens = _tokens(text)
    predicate, rest = _expression(tokens)
    if rest:
        raise ValueError(f"unexpected {rest[0]!r}")
    return predicate, order


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"unexpected text at {position}")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


def _expression(tokens: list[str]) -> tuple[Any, list[str]]:
    clauses = []
    predicate, tokens = _clause(tokens)
    clauses.append(predicate)
    while tokens and tokens[0].lower() == "and":
        predicate, tokens = _clause(tokens[1:])
        clauses.append(predicate)
    return (lambda page: all(c(page) for c in clauses)), tokens


def _clause(tokens: list[str]) -> tuple[Any, list[str]]:
    if tokens and tokens[0] == "(":
        predicate, rest = _expression(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("missing )")
        return predicate, rest[1:]
    if len(tokens) < 3 or tokens[0].lower() not in _FIELDS:
        raise ValueError(f"expected a clause at {' '.join(tokens[:3])!r}")
    name, op, raw = tokens[0].lower(), tokens[1], tokens[2]
    if op not in ("=", "!=", ">=", ">", "<=", "<", "~"):
        raise ValueError(f"unknown operator {op!r}")
    value = _value(raw)

    def test(page: FakePage) -> bool:
        if name == "label":
            has = value in page.labels
            return has if op == "=" else not has
        if name in ("lastmodified", "created"):
            stamp = _moment(page.when if name == "lastmodified" else page.created)
            limit = value if isinstance(value, datetime) else _moment(str(value))
            return {">=": stamp >= limit, ">": stamp > limit, "<=": stamp <= limit,
                    "<": stamp < limit, "=": stamp == limit, "!=": stamp != limit}[op]  # fmt: skip
        actual = getattr(page, name)
        if op == "~":
            return str(value).lower() in actual.lower()
        return actual == value if op == "=" else actual != value

    return test, tokens[3:]


def _value(raw: str) -> Any:
    now = re.fullmatch(r'now\("(?P<sign>[-+])(?P<n>\d+)(?P<unit>[mhdw])"\)', raw)
    if now:
        units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
        delta = timedelta(**{units[now["unit"]]: int(now["n"])})
        return datetime.now(UTC) + (delta if now["sign"] == "+" else -delta)
    if raw.startswith('"'):
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if re.fullmatch(r"[A-Za-z]\w*", raw):
        return raw
    raise ValueError(f"bad value {raw!r}")


def _moment(text: str) -> datetime:
    text = text.replace("Z", "+00:00")
    if re.fullmatch(r"\d{4}[-/]\d\d[-/]\d\d( \d\d:\d\d)?", text):
        text = text.replace("/", "-")
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    return datetime.fromisoformat(text)
