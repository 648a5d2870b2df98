"""A fake Notion API on 127.0.0.1 for the Notion loader's tests, driven by the real notion-client.

It serves the endpoints the loader uses, with the wire format of Notion-Version 2025-09-03 built
from the fixture files in tests/fixtures/notion (objects, page bodies, error bodies): databases
with their data sources, data-source queries (page_size, start_cursor, a `last_edited_time`
filter; trashed pages left out, as Notion does), pages, paginated relation properties and
paginated block children. It checks the Bearer token and the Notion-Version header, records
every request (method, path, query, body) so tests can count them, lets a test edit, trash and
delete pages between syncs, and injects faults (a status with a fixture body and headers, for
N requests, optionally after a delay that outlasts the client's timeout).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notion"
NOTION_MAX_PAGE_SIZE = 100
NOTION_RELATION_LIMIT = 25  # references a page object carries before `has_more`
_UUID = re.compile(r"^[0-9a-f]{8}-?(?:[0-9a-f]{4}-?){3}[0-9a-f]{12}$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _key(object_id: str) -> str:
    """Notion accepts ids with or without dashes."""
    return object_id.replace("-", "").lower()


def now_minute() -> str:
    """`last_edited_time` as Notion writes it: cut to the minute."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:00.000Z")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str | None


@dataclass
class Fault:
    method: str
    path: str  # a prefix of the request path
    status: int | None  # None: answer normally (after `delay`)
    body: str | None
    headers: dict[str, str]
    times: int | None  # None: every time
    delay: float = 0.0


@dataclass
class Workspace:
    databases: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # in creation order
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class FakeNotion:
    def __init__(self, token: str) -> None:
        self.token = token
        self.workspace = Workspace()
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.max_page_size = NOTION_MAX_PAGE_SIZE  # lower it to make every list paginate
        self.relation_limit = NOTION_RELATION_LIMIT
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNotion:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- the workspace ------------------------------------------------------------------------

    def add_database(self, database: str, data_source: str) -> None:
        db, ds = fixture(database), fixture(data_source)
        self.workspace.databases[_key(db["id"])] = db
        self.workspace.data_sources[_key(ds["id"])] = ds

    def add_page(self, page: str, body: str | None = None) -> str:
        obj = fixture(page)
        self.workspace.pages[_key(obj["id"])] = obj
        if body:
            for parent, blocks in fixture(body).items():
                self.workspace.children[_key(parent)] = blocks
        return str(obj["id"])

    def edit_page(self, page: str, body: str | None = None, *, edited_at: str | None = None) -> str:
        """Replace a page (and its body) as an edit in Notion would: stamped with the minute."""
        page_id = self.add_page(page, body)
        self.workspace.pages[_key(page_id)]["last_edited_time"] = edited_at or now_minute()
        return page_id

    def trash_page(self, page_id: str) -> None:
        page = self.workspace.pages[_key(page_id)]
        page.update(in_trash=True, archived=True, last_edited_time=now_minute())

    def delete_page(self, page_id: str) -> None:
        del self.workspace.pages[_key(page_id)]

    # -- faults and records -------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int | None,
        body: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer matching requests with `status` and the fixture `body` (`times` times)."""
        text = json.dumps(fixture(body)) if body else None
        self.faults.append(Fault(method, path, status, text, headers or {}, times, delay))

    def count(self, method: str, path_prefix: str = "") -> int:
        return sum(
            1 for r in self.requests if r.method == method and r.path.startswith(path_prefix)
        )

    def by_endpoint(self) -> dict[str, int]:
        """Requests per endpoint, ids replaced: `{"POST /v1/data_sources/{id}/query": 2, …}`."""
        counts: dict[str, int] = {}
        for r in self.requests:
            parts = r.path.strip("/").split("/")
            shape = [
                "{id}" if _UUID.match(p) or (i and parts[i - 1] == "properties") else p
                for i, p in enumerate(parts)
            ]
            name = f"{r.method} /{'/'.join(shape)}"
            counts[name] = counts.get(name, 0) + 1
        return counts

    # -- answering ----------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any,
               authorization: str | None) -> tuple[int, Any, dict[str, str], float]:  # fmt: skip
        with self._lock:
            self.requests.append(Request(method, path, query, body, authorization))
            fault = next(
                (f for f in self.faults if f.method == method and path.startswith(f.path)), None
            )
            if fault and fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
        delay = fault.delay if fault else 0.0
        if fault and fault.status is not None:
            text = (fault.body or "{}").replace("{authorization}", authorization or "")
            return fault.status, json.loads(text), fault.headers, delay
        if authorization != f"Bearer {self.token}":
            return 401, fixture("error_401"), {}, delay
        status, payload = self._route(method, path, query, body)
        if isinstance(payload, dict):
            payload.setdefault("request_id", str(uuid.uuid4()))
        return status, payload, {}, delay

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        ws = self.workspace
        if parts[:2] == ["v1", "databases"] and len(parts) == 3 and method == "GET":
            return self._object(ws.databases, parts[2], "database")
        if parts[:2] == ["v1", "data_sources"] and len(parts) == 3 and method == "GET":
            return self._object(ws.data_sources, parts[2], "data source")
        if parts[:2] == ["v1", "data_sources"] and parts[3:] == ["query"] and method == "POST":
            return self._query(parts[2], body or {})
        if parts[:2] == ["v1", "pages"] and len(parts) == 3 and method == "GET":
            status, page = self._object(ws.pages, parts[2], "page")
            return status, self._as_served(page) if status == 200 else page
        if parts[:2] == ["v1", "pages"] and parts[3:4] == ["properties"] and method == "GET":
            return self._property(parts[2], parts[4], query)
        if parts[:2] == ["v1", "blocks"] and parts[3:] == ["children"] and method == "GET":
            if _key(parts[2]) not in ws.children and _key(parts[2]) not in ws.pages:
                return _not_found("block", parts[2])
            blocks = ws.children.get(_key(parts[2]), [])
            return 200, self._list(
                blocks, query_value(query, "page_size"), query_value(query, "start_cursor"), "block"
            )
        return 400, {"object": "error", "status": 400, "code": "invalid_request_url",
                     "message": "Invalid request URL."}  # fmt: skip

    def _object(
        self, table: dict[str, dict[str, Any]], object_id: str, kind: str
    ) -> tuple[int, Any]:
        obj = table.get(_key(object_id))
        return (200, deepcopy(obj)) if obj else _not_found(kind, object_id)

    def _query(self, ds_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        if _key(ds_id) not in self.workspace.data_sources:
            return _not_found("data source", ds_id)
        rows = [
            p for p in self.workspace.pages.values()
            if _key(p["parent"].get("data_source_id", "")) == _key(ds_id) and not p.get("in_trash")
        ]  # fmt: skip
        flt = body.get("filter")
        if flt is not None:
            try:
                rows = [p for p in rows if _matches(p, flt)]
            except (KeyError, TypeError, ValueError) as e:
                return 400, {"object": "error", "status": 400, "code": "validation_error",
                             "message": f"body.filter is invalid: {e}"}  # fmt: skip
        served = [self._as_served(p) for p in rows]
        return 200, self._list(
            served, body.get("page_size"), body.get("start_cursor"), "page_or_data_source"
        )

    def _property(
        self, page_id: str, property_id: str, query: dict[str, list[str]]
    ) -> tuple[int, Any]:
        page = self.workspace.pages.get(_key(page_id))
        if page is None:
            return _not_found("page", page_id)
        prop = next(
            (p for p in page["properties"].values() if unquote(p["id"]) == property_id), None
        )
        if prop is None or prop["type"] != "relation":
            return _not_found("property", property_id)
        items = [
            {"object": "property_item", "id": prop["id"], "type": "relation", "relation": ref}
            for ref in prop["relation"]
        ]
        listing = self._list(
            items,
            query_value(query, "page_size"),
            query_value(query, "start_cursor"),
            "property_item",
        )
        listing["property_item"] = {
            "id": prop["id"],
            "next_url": None,
            "type": "relation",
            "relation": {},
        }
        return 200, listing

    def _as_served(self, page: dict[str, Any]) -> dict[str, Any]:
        """A page as an API response: long relation lists cut, with `has_more`, as Notion does."""
        served = deepcopy(page)
        for prop in served["properties"].values():
            if prop.get("type") == "relation" and len(prop["relation"]) > self.relation_limit:
                prop["relation"] = prop["relation"][: self.relation_limit]
                prop["has_more"] = True
        return served

    def _list(self, results: list[Any], page_size: Any, cursor: Any, kind: str) -> dict[str, Any]:
        size = min(int(page_size or NOTION_MAX_PAGE_SIZE), self.max_page_size)
        ids = [
            str(r.get("id")) if r.get("object") != "property_item" else str(r["relation"]["id"])
            for r in results
        ]
        start = ids.index(cursor) if cursor in ids else 0
        chunk = results[start : start + size]
        more = start + size < len(results)
        # Like Notion, the cursor is the id of the first result of the next page.
        return {"object": "list", "results": chunk, "next_cursor": ids[start + size] if more else None,
                "has_more": more, "type": kind, kind: {}}  # fmt: skip


def query_value(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _matches(page: dict[str, Any], flt: dict[str, Any]) -> bool:
    if "and" in flt:
        return all(_matches(page, f) for f in flt["and"])
    if "or" in flt:
        return any(_matches(page, f) for f in flt["or"])
    stamp = flt["timestamp"]
    if stamp not in ("last_edited_time", "created_time"):
        raise ValueError(f"unsupported timestamp {stamp!r}")
    value = _parse_time(page[stamp])
    ((op, operand),) = flt[stamp].items()
    bound = _parse_time(operand)
    return {
        "on_or_after": value >= bound, "after": value > bound,
        "on_or_before": value <= bound, "before": value < bound, "equals": value == bound,
    }[op]  # fmt: skip


def _not_found(kind: str, object_id: str) -> tuple[int, Any]:
    message = fixture("error_404")["message"].replace("database", kind).replace("{id}", object_id)
    return 404, {**fixture("error_404"), "message": message}


def _handler(fake: FakeNotion) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm and the
            # client's delayed ACK hold every response back by ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self, method: str) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            if self.headers.get("Notion-Version") is None:
                status, payload, headers, delay = 400, {
                    "object": "error", "status": 400, "code": "missing_version",
                    "message": "Notion-Version header failed validation.",
                }, {}, 0.0  # fmt: skip
            else:
                status, payload, headers, delay = fake.answer(
                    method, split.path, parse_qs(split.query), body,
                    self.headers.get("Authorization"),
                )  # fmt: skip
            if delay:
                time.sleep(delay)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


# -- the fake workspaces the tests use --------------------------------------------------------

POSTMORTEM_PAGES = (
    "checkout_outage", "db_failover", "tls_near_miss", "malformed_severity", "template",
    "search_latency", "queue_backlog",
)  # fmt: skip
ACTION_ITEMS = ("timeout_alert", "webhook_retries", "sdk_timeout", "search_canary")


def add_postmortems_workspace(fake: FakeNotion) -> None:
    """A post-mortems database, its related action-items database, and their pages."""
    fake.add_database("database_postmortems", "data_source_postmortems")
    fake.add_database("database_action_items", "data_source_action_items")
    for name in POSTMORTEM_PAGES:
        fake.add_page(f"page_{name}", f"body_{name}")
    for name in ACTION_ITEMS:
        fake.add_page(f"item_{name}")


def add_reviews_workspace(fake: FakeNotion) -> None:
    """A second team's database with its own property names, relating to a Services database."""
    fake.add_database("database_reviews", "data_source_reviews")
    fake.add_page("page_review_billing", "body_review_billing")
    fake.add_page("page_review_gameday", "body_review_gameday")
    fake.add_page("page_service_billing_api")
    fake.add_page("page_service_postgres")
