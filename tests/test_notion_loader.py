"""The Notion source against a fake Notion server, through the real notion-client.

The fake workspace (tests/fixtures/notion, wire format of Notion-Version 2025-09-03): a
"Post-mortems" database of 7 pages and a related "Action items" database of 4 items.
- checkout_outage: every property type filled, 3 items in the related database, and a body
  with a timeline, root cause, impact and a stray body to-do (ignored: the relation wins);
- db_failover: action items in the body (to-dos with a user and a date mention, a sub-heading
  and a table), a toggle heading holding the contributing factors, a labelled line;
- tls_near_miss: an unknown severity and nothing else stated;
- malformed_severity: a `select` value that is a bare string: fails alone;
- template: the team's template page: skipped;
- search_latency: one related item; queue_backlog: a drill.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import query
from fakes.notion_server import (
    FakeNotion,
    add_postmortems_workspace,
    add_reviews_workspace,
    fixture,
)

from loaders.config import Config, SourceConfig
from loaders.model import ConfigError
from loaders.sources.notion.api import Tuning
from loaders.sources.notion.properties import PageError, action_item
from loaders.sources.notion.source import NotionSource
from loaders.sync import build_source, sync

TOKEN = "ntn_TEST_4f9a1c0d_notion_integration_secret"
TOKEN_ENV = "PMDASH_TEST_NOTION_TOKEN"
FAST = Tuning(timeout_ms=2_000, max_attempts=3, initial_delay_ms=1, max_delay_ms=20)
DB = fixture("database_postmortems")["id"]
DS = fixture("data_source_postmortems")["id"]
ITEMS_DS = fixture("data_source_action_items")["id"]


def page_id(name: str) -> str:
    return str(fixture(name)["id"])


CHECKOUT, FAILOVER, TLS = (
    page_id("page_checkout_outage"),
    page_id("page_db_failover"),
    page_id("page_tls_near_miss"),
)
MALFORMED, TEMPLATE = page_id("page_malformed_severity"), page_id("page_template")
SEARCH, QUEUE, DNS = (
    page_id("page_search_latency"),
    page_id("page_queue_backlog"),
    page_id("page_dns_resolution"),
)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNotion]:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = FakeNotion(TOKEN).start()
    add_postmortems_workspace(server)
    yield server
    server.stop()


def notion_source(
    fake: FakeNotion, name: str = "notion-postmortems", **options: Any
) -> NotionSource:
    options = {"database_id": DB, "token_env": TOKEN_ENV, "api_url": fake.url, **options}
    return NotionSource.from_config(SourceConfig(name, "notion", options), Config(), tuning=FAST)


def incident(db: Path, source_id: str, source: str = "notion-postmortems") -> dict[str, Any]:
    rows = query(db, "select * from incidents where incident_id = ?", [f"{source}:{source_id}"])
    assert len(rows) == 1, f"{source_id} is not loaded"
    row = rows[0]
    row["provenance"] = json.loads(row["provenance"])
    return row


def items(db: Path, source_id: str, source: str = "notion-postmortems") -> list[dict[str, Any]]:
    columns = "position, title, owner, due_date, status, status_raw, status_basis, closed_at, ticket, ticket_url, created_at"
    return query(
        db, f"select {columns} from action_items where incident_id = ? order by position",
        [f"{source}:{source_id}"],
    )  # fmt: skip


def names(
    db: Path, table: str, column: str, source_id: str, source: str = "notion-postmortems"
) -> list[Any]:
    rows = query(
        db, f"select * from {table} where incident_id = ? order by all", [f"{source}:{source_id}"]
    )
    return [tuple(r[c] for c in column.split(",")) if "," in column else r[column] for r in rows]


def dump(db: Path) -> dict[str, list[dict[str, Any]]]:
    """Every stored row except load times and version keys (which hold the listed relation)."""
    out = {}
    for table in (
        "incidents",
        "incident_services",
        "incident_categories",
        "incident_tags",
        "action_items",
    ):
        rows = query(db, f"select * exclude (incident_id) from {table} order by all")
        out[table] = [
            {k: v for k, v in r.items() if k not in ("loaded_at", "content_hash")} for r in rows
        ]
    return out


# -- the first sync, field by field --------------------------------------------------------------


def test_first_sync_reads_every_page_of_the_database(fake: FakeNotion, db: Path) -> None:
    result = sync(str(db), [notion_source(fake)])[0]

    # 7 pages: 5 post-mortems, the template (skipped) and the malformed page (failed alone).
    assert (result.status, result.seen, result.loaded) == ("partial", 7, 5)
    assert (result.skipped, result.failed, result.unchanged, result.removed) == (1, 1, 0, 0)
    loaded = {r["source_id"] for r in query(db, "select source_id from incidents")}
    assert loaded == {CHECKOUT, FAILOVER, TLS, SEARCH, QUEUE}
    assert {r["source_kind"] for r in query(db, "select source_kind from incidents")} == {"notion"}


def test_properties_of_every_type_fill_the_record(fake: FakeNotion, db: Path) -> None:
    sync(str(db), [notion_source(fake)])
    row = incident(db, CHECKOUT)

    assert row["title"] == "Checkout outage after payment provider timeouts"  # title
    assert row["source_url"] == fixture("page_checkout_outage")["url"]
    assert (row["severity"], row["severity_rank"]) == ("SEV2", 2)  # select
    assert row["severity_raw"] == "SEV2"
    assert row["status"] == "published"  # status "Published"
    assert row["kind"] == "incident"  # select "Incident"
    # The date property spans 14:02 → 14:39 UTC: the day, the start and the end.
    assert row["incident_date"] == date(2024, 5, 1)
    assert row["started_at"] == datetime(2024, 5, 1, 14, 2)
    assert row["resolved_at"] == datetime(2024, 5, 1, 14, 39)
    # "Detected" is 16:10 with time_zone Europe/Berlin (CEST, UTC+2): 14:10 UTC.
    assert row["detected_at"] == datetime(2024, 5, 1, 14, 10)
    assert row["time_to_detect_minutes"] == 8.0  # formula (number)
    assert row["time_to_recover_minutes"] == 37.0  # number "Time to recover (min)"
    assert row["summary"] == (
        "Card payments failed for 37 minutes after the payment provider's API slowed down."
    )  # rich_text
    assert row["root_cause"] == (
        "The payment client had no timeout, so checkout workers blocked on the slow provider."
    )  # body section
    assert row["customer_impact"] == "About 1,200 checkouts failed."
    assert row["published_at"] is None  # nothing states a publication date
    # The Summary property counts as the summary section, beside the body's headings.
    assert row["sections"] == ["summary", "timeline", "root_cause", "impact", "action_items"]
    assert row["source_updated_at"] == datetime(2024, 5, 3, 11, 2)  # last_edited_time, UTC
    assert names(db, "incident_services", "service,service_raw", CHECKOUT) == [
        ("checkout", "checkout"), ("payments", "payments"),
    ]  # fmt: skip
    assert names(db, "incident_categories", "category,category_raw", CHECKOUT) == [
        ("dependency failure", "Dependency failure")
    ]
    assert names(db, "incident_tags", "tag", CHECKOUT) == ["payments", "q2"]
    assert row["provenance"] == {
        "title": "property 'Name'", "severity": "property 'Severity'",
        "services": "property 'Services'", "categories": "property 'Categories'",
        "tags": "property 'Tags'", "status": "property 'Status'", "kind": "property 'Kind'",
        "incident_date": "property 'Incident date'",
        "started_at": "property 'Incident date' (start)",
        "resolved_at": "property 'Incident date' (end)", "detected_at": "property 'Detected'",
        "time_to_detect_minutes": "property 'Time to detect'",
        "time_to_recover_minutes": "property 'Time to recover (min)'",
        "summary": "property 'Summary'", "root_cause": "root_cause section",
        "customer_impact": "impact section", "published_at": "not stated",
        "contributing_factors": "not stated",
    }  # fmt: skip


def test_action_items_come_from_the_related_database(fake: FakeNotion, db: Path) -> None:
    sync(str(db), [notion_source(fake)])

    # In the relation's order; the body's stray to-do is not an item since the relation lists them.
    assert items(db, CHECKOUT) == [
        {
            "position": 1, "title": "Add a timeout alert on payment provider latency",
            "owner": "Jane Doe", "due_date": date(2024, 5, 15), "status": "done",
            "status_raw": "Done", "status_basis": "field", "closed_at": datetime(2024, 5, 10),
            "ticket": "OPS-123", "ticket_url": "https://acme.atlassian.net/browse/OPS-123",
            "created_at": datetime(2024, 5, 2, 9, 0),
        },
        {
            "position": 2, "title": "Retry payment webhooks with idempotency keys",
            "owner": "Sam Lee", "due_date": date(2024, 6, 1), "status": "in_progress",
            "status_raw": "In progress", "status_basis": "field", "closed_at": None,
            "ticket": "acme/payments#42", "ticket_url": "https://github.com/acme/payments/issues/42",
            "created_at": datetime(2024, 5, 2, 9, 0),
        },
        {
            # No status at all is `unknown`, never open or done.
            "position": 3, "title": "Set a client timeout in the payment SDK", "owner": None,
            "due_date": None, "status": "unknown", "status_raw": None, "status_basis": "none",
            "closed_at": None, "ticket": None, "ticket_url": None,
            "created_at": datetime(2024, 5, 2, 9, 0),
        },
    ]  # fmt: skip
    # The owner is a person without a name (a partial user): no owner rather than an id.
    # The ticket URL names no known tracker: kept as the ticket and its link.
    assert items(db, SEARCH) == [
        {
            "position": 1, "title": "Canary index rebuilds on one shard first", "owner": None,
            "due_date": date(2024, 8, 15), "status": "open", "status_raw": "Not started",
            "status_basis": "field", "closed_at": None,
            "ticket": "https://wiki.example.com/search/canary",
            "ticket_url": "https://wiki.example.com/search/canary",
            "created_at": datetime(2024, 7, 22, 9, 0),
        }
    ]  # fmt: skip


def test_body_blocks_are_read_with_the_markdown_rules(fake: FakeNotion, db: Path) -> None:
    sync(str(db), [notion_source(fake)])
    row = incident(db, FAILOVER)

    assert (row["severity"], row["status"], row["incident_date"]) == (
        "SEV1",
        "in_review",
        date(2024, 6, 12),
    )
    assert row["started_at"] is None  # a date-only property states no time of day
    # "**Time to recovery:** 12 minutes" is the page's third block.
    assert row["time_to_recover_minutes"] == 12.0
    assert row["provenance"]["time_to_recover_minutes"] == "label 'Time to recovery' (line 3)"
    assert row["summary"] == (
        "A planned minor-version upgrade triggered an unplanned failover; writes failed for "
        "12 minutes.\nTime to recovery: 12 minutes"
    )
    assert row["provenance"]["summary"] == "summary section"
    # The toggle heading "Contributing factors" holds its section as children.
    assert row["sections"] == ["summary", "contributing_factors", "action_items"]
    assert items(db, FAILOVER) == [
        {
            "position": 1, "title": "Add a replica-lag check to the upgrade runbook",
            "owner": None, "due_date": None, "status": "done", "status_raw": "checked",
            "status_basis": "checkbox", "closed_at": None, "ticket": None, "ticket_url": None,
            "created_at": None,
        },
        {
            # The user mention is the owner and the date mention the due date.
            "position": 2, "title": "Alert when replica lag exceeds 10 s", "owner": "Sam Lee",
            "due_date": date(2024, 7, 1), "status": "open", "status_raw": "unchecked",
            "status_basis": "checkbox", "closed_at": None, "ticket": None, "ticket_url": None,
            "created_at": None,
        },
        {
            # The table under the sub-heading "Follow-ups from the review".
            "position": 3, "title": "Page the DBA on every failover", "owner": "Priya",
            "due_date": date(2024, 7, 15), "status": "done", "status_raw": "Done",
            "status_basis": "field", "closed_at": None, "ticket": None, "ticket_url": None,
            "created_at": None,
        },
        {
            "position": 4, "title": "Document the failover runbook", "owner": None,
            "due_date": None, "status": "unknown", "status_raw": None, "status_basis": "none",
            "closed_at": None, "ticket": "OPS-77", "ticket_url": None, "created_at": None,
        },
    ]  # fmt: skip


def test_nothing_is_invented_and_bad_pages_are_reported(fake: FakeNotion, db: Path) -> None:
    result = sync(str(db), [notion_source(fake)])[0]
    row = incident(db, TLS)

    assert row["kind"] == "near_miss"
    # "Urgent-ish" is no known severity: kept raw, no level, and a warning.
    assert (row["severity"], row["severity_rank"], row["severity_raw"]) == (
        None,
        None,
        "Urgent-ish",
    )
    for name in ("incident_date", "started_at", "status", "summary", "time_to_recover_minutes"):
        assert row[name] is None
        assert row["provenance"][name] == "not stated"
    assert row["sections"] == []
    assert items(db, TLS) == []
    errors = query(
        db, "select document, severity, message from load_errors where sync_id = ? order by document",
        [result.sync_id],
    )  # fmt: skip
    assert sorted((e["document"], e["severity"], e["message"]) for e in errors) == sorted([
        (TLS, "warning", "unknown severity 'Urgent-ish' (property 'Severity'): use one of SEV1, "
         "SEV2, SEV3, SEV4, SEV5 or add it to [severity.aliases] in pmdash.toml; severity left empty"),
        (MALFORMED, "error", "malformed page in Notion's answer: property 'Severity' (select) has "
         "an option without a name: 'SEV2'"),
        (TEMPLATE, "warning", "looks like a template (title 'Post-mortem template'); not loaded"),
    ])  # fmt: skip


def test_properties_named_in_the_config_and_related_titles(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    fake = FakeNotion(TOKEN).start()
    try:
        add_reviews_workspace(fake)
        mapping = {
            "severity": "Priority",
            "services": "Systems",
            "categories": "Area",
            "status": "Review state",
        }
        source = notion_source(
            fake, "reviews", database_id=fixture("database_reviews")["id"], properties=mapping
        )
        assert sync(str(db), [source])[0].status == "ok"
    finally:
        fake.stop()
    billing = incident(db, page_id("page_review_billing"), "reviews")
    assert billing["title"] == "Billing API returned stale invoices"  # title "Incident"
    assert (billing["severity"], billing["severity_rank"], billing["severity_raw"]) == (
        "SEV1",
        1,
        "1",
    )  # number
    assert billing["status"] == "published"  # select "Review state"
    assert billing["incident_date"] == date(2024, 3, 4)  # formula (date) "Occurred", by its name
    assert billing["time_to_recover_minutes"] == 65.0  # rich_text "TTR": "1 hour 5 minutes"
    assert billing["kind"] is None  # the "Drill" box is not ticked: it states nothing
    # A relation to a Services database reads as the related pages' titles.
    assert names(db, "incident_services", "service,service_raw", billing["source_id"], "reviews") == [
        ("billing api", "Billing API"), ("postgres", "Postgres"),
    ]  # fmt: skip
    assert names(db, "incident_categories", "category", billing["source_id"], "reviews") == [
        "caching", "data consistency",
    ]  # fmt: skip
    assert names(db, "incident_tags", "tag", billing["source_id"], "reviews") == [
        "finance"
    ]  # "Labels"
    # Columns and quotes are read through; the inline database is ignored.
    assert [(i["title"], i["status"], i["status_basis"], i["ticket"]) for i in items(db, billing["source_id"], "reviews")] == [
        ("Expire the invoice cache on write (PR)", "done", "checkbox", "acme/billing#7"),
        ("Add a consistency check job", "in_progress", "marker", "BILL-12"),
    ]  # fmt: skip
    gameday = incident(db, page_id("page_review_gameday"), "reviews")
    assert gameday["kind"] == "drill"  # the ticked checkbox "Drill"
    assert gameday["provenance"]["kind"] == "property 'Drill'"
    assert (gameday["severity"], gameday["incident_date"]) == ("SEV2", date(2024, 4, 10))
    assert gameday["started_at"] == datetime(2024, 4, 10, 8, 0)  # 10:00+02:00
    assert gameday["sections"] == []  # an empty body
    # The Postgres page is fetched once for both incidents: 2 page requests for 3 references.
    assert fake.by_endpoint()["GET /v1/pages/{id}"] == 2


def test_action_items_with_a_checkbox_or_a_select_as_status() -> None:
    # Another team's action-items database: "Done" checkbox, "Assignee", "Deadline", "Jira".
    ticked = action_item(fixture("item_checkbox_done"), 1, {})
    assert (ticked.title, ticked.owner, ticked.due_date) == (
        "Rotate the on-call pager key", "Jane Doe, Sam Lee", date(2024, 9, 30),
    )  # fmt: skip
    assert (ticked.status, ticked.status_raw, ticked.status_basis) == (
        "done",
        "checked",
        "checkbox",
    )
    assert (ticked.ticket, ticked.ticket_url) == (
        "SEC-9",
        "https://acme.atlassian.net/browse/SEC-9",
    )
    dropped = action_item(fixture("item_select_wont_do"), 2, {})
    assert (dropped.status, dropped.status_raw, dropped.status_basis) == (
        "wont_do",
        "Won't do",
        "field",
    )
    assert (dropped.owner, dropped.due_date, dropped.ticket) == (None, None, None)
    with pytest.raises(PageError, match="has no title"):
        action_item(fixture("item_without_title"), 3, {})


# -- requests: pagination and incremental sync ----------------------------------------------------


def test_request_counts_of_a_first_and_an_unchanged_sync(fake: FakeNotion, db: Path) -> None:
    source = notion_source(fake)
    sync(str(db), [source])
    assert fake.by_endpoint() == {
        "GET /v1/databases/{id}": 1,  # find the data sources
        "GET /v1/data_sources/{id}": 1,  # the schema: property types, the relation's target
        # One listing of each data source (7 post-mortems, 4 items: under 100 each).
        "POST /v1/data_sources/{id}/query": 2,
        # Bodies: checkout 2 (the page, a nested item), failover 4 (the page, the toggle
        # heading, its nested item, the table), tls 1, search 1, queue 1. The malformed page
        # fails on its properties and the template is skipped before any block is read.
        "GET /v1/blocks/{id}/children": 9,
    }
    assert all(r.body["page_size"] == 100 for r in fake.requests if r.method == "POST")
    assert all(r.query["page_size"] == ["100"] for r in fake.requests if "/children" in r.path)

    fake.requests.clear()
    second = sync(str(db), [source])[0]
    # SPEC §9 P6: one query per data source, and no block or page read.
    assert fake.by_endpoint() == {
        "GET /v1/databases/{id}": 1,
        "GET /v1/data_sources/{id}": 1,
        "POST /v1/data_sources/{id}/query": 2,
    }
    assert (second.unchanged, second.loaded, second.removed) == (5, 0, 0)
    # The items are asked only for edits since the last sync began, minus the overlap.
    items_query = next(r for r in fake.requests if r.path == f"/v1/data_sources/{ITEMS_DS}/query")
    after = datetime.fromisoformat(
        items_query.body["filter"]["last_edited_time"]["on_or_after"][:19]
    )
    started = query(db, "select min(started_at) as t from sync_runs")[0]["t"]
    assert items_query.body["filter"]["timestamp"] == "last_edited_time"
    assert started - timedelta(minutes=5, seconds=1) < after <= started - timedelta(minutes=5)
    pm_query = next(r for r in fake.requests if r.path == f"/v1/data_sources/{DS}/query")
    assert "filter" not in pm_query.body  # the listing is whole: it is how removals are seen


def test_incremental_sync_reads_changes_and_drops_removed_pages(fake: FakeNotion, db: Path) -> None:
    source = notion_source(fake)
    sync(str(db), [source])
    fake.requests.clear()
    fake.edit_page("item_webhook_retries_done")  # ticked off: the item changes, not its page
    fake.edit_page("page_search_latency_edited", "body_search_latency_edited")
    fake.trash_page(TLS)
    fake.delete_page(QUEUE)
    fake.edit_page("page_dns_resolution", "body_dns_resolution")  # a new post-mortem

    result = sync(str(db), [source])[0]

    # Listed: checkout, failover, malformed, template, search, dns.
    assert (result.seen, result.loaded, result.unchanged, result.removed) == (6, 3, 1, 2)
    assert fake.by_endpoint() == {
        "GET /v1/databases/{id}": 1,
        "GET /v1/data_sources/{id}": 1,
        # The listing; the items edited since the last sync (the ticked one); then, as the
        # re-read pages lack 3 items (checkout's other two, search's one), one listing of the
        # items (4 referenced: 1 request) rather than 3 GETs.
        "POST /v1/data_sources/{id}/query": 3,
        # Re-read: checkout (its item changed) 2, search 1, dns 1; failover is not re-read.
        "GET /v1/blocks/{id}/children": 4,
    }
    checkout = items(db, CHECKOUT)
    assert (checkout[1]["status"], checkout[1]["closed_at"]) == ("done", datetime(2024, 6, 20))
    assert [i["status"] for i in checkout] == ["done", "done", "unknown"]
    search = incident(db, SEARCH)
    assert (search["title"], search["severity"]) == ("Search outage after index rebuild", "SEV2")
    assert search["root_cause"] == "The rebuild ran on every shard at once."
    assert [(i["title"], i["status"], i["ticket"]) for i in items(db, DNS)] == [
        ("Add DNS cache hit-rate metrics", "done", None),
        ("Load-test the resolvers", "unknown", "OPS-310"),
    ]
    ids = {r["source_id"] for r in query(db, "select source_id from incidents")}
    assert ids == {CHECKOUT, FAILOVER, SEARCH, DNS}  # the trashed and the deleted page are gone
    for table in ("incident_services", "action_items"):
        gone = query(db, f"select * from {table} where incident_id in (?, ?)",
                     [f"notion-postmortems:{TLS}", f"notion-postmortems:{QUEUE}"])  # fmt: skip
        assert gone == []


def test_an_edit_in_the_minute_of_the_last_sync_is_not_missed(fake: FakeNotion, db: Path) -> None:
    source = notion_source(fake)
    sync(str(db), [source])
    minute = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:00.000Z")
    fake.edit_page("page_search_latency_edited", "body_search_latency", edited_at=minute)
    sync(str(db), [source])
    # Edited again within the same minute: `last_edited_time` does not move.
    fake.edit_page("page_search_latency_edited", "body_search_latency_edited", edited_at=minute)
    fake.requests.clear()
    third = sync(str(db), [source])[0]
    assert third.loaded == 1  # re-read because it was edited within the overlap
    # Its one unchanged item costs one GET (cheaper than listing the items again).
    assert fake.by_endpoint() == {
        "GET /v1/databases/{id}": 1,
        "GET /v1/data_sources/{id}": 1,
        "POST /v1/data_sources/{id}/query": 2,
        "GET /v1/blocks/{id}/children": 1,
        "GET /v1/pages/{id}": 1,
    }
    assert incident(db, SEARCH)["root_cause"] == "The rebuild ran on every shard at once."


def test_pagination_of_queries_relations_and_blocks(
    fake: FakeNotion, db: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference.duckdb"
    sync(str(reference), [notion_source(fake)])
    fake.requests.clear()
    fake.max_page_size = 2  # every list comes back 2 results at a time
    fake.relation_limit = 2  # and a page object carries 2 relation references

    sync(str(db), [notion_source(fake)])

    assert dump(db) == dump(reference)
    counts = fake.by_endpoint()
    # 7 post-mortems in 4 pages of 2; 4 items in 2 pages.
    assert counts["POST /v1/data_sources/{id}/query"] == 4 + 2
    # checkout's 3 item references: 2 per page from the property endpoint.
    assert counts["GET /v1/pages/{id}/properties/{id}"] == 2
    # Bodies: checkout 11 blocks → 6 pages + 1 nested; failover 10 → 5, toggle 2 children → 1,
    # nested 1, table 3 rows → 2; tls, search, queue 1 to 2 blocks → 1 each.
    assert counts["GET /v1/blocks/{id}/children"] == 7 + 9 + 3
    cursors = [
        r.body.get("start_cursor")
        for r in fake.requests
        if r.path == f"/v1/data_sources/{DS}/query"
    ]
    assert cursors[0] is None and all(cursors[1:])  # then the cursor Notion returned
    assert {r.body["page_size"] for r in fake.requests if r.method == "POST"} == {100}


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "`database_id` is missing"),
        ({"database_id": "not-an-id"}, "is not a Notion id or database URL"),
        ({"database_id": DB, "databse": "x"}, "unknown option(s) ['databse']"),
        (
            {"database_id": DB, "token_env": "secret_abc def"},
            "must be the name of an environment variable",
        ),
        ({"database_id": DB, "api_url": "api.notion.com"}, "`api_url` must be an http(s) URL"),
        ({"database_id": DB, "properties": {"sev": "Severity"}}, "unknown field(s) ['sev']"),
        (
            {"database_id": DB, "properties": {"severity": 3}},
            "must map field names to property names",
        ),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        build_source(SourceConfig("team", "notion", options), Config())
    assert message in str(raised.value)
    assert str(raised.value).startswith("notion source 'team'")


def test_database_id_from_the_database_url() -> None:
    url = (
        "https://www.notion.so/acme/" + DB.replace("-", "") + "?v=0123456789abcdef0123456789abcdef"
    )
    source = build_source(SourceConfig("team", "notion", {"database_id": url}), Config())
    assert isinstance(source, NotionSource)
    assert (source.database_id, source.token_env, source.api_url) == (
        DB,
        "NOTION_TOKEN",
        "https://api.notion.com",
    )


def test_a_mapped_property_the_database_lacks_fails_the_source(fake: FakeNotion, db: Path) -> None:
    result = sync(str(db), [notion_source(fake, properties={"severity": "Impact level"})])[0]
    assert result.status == "failed"
    assert result.message.startswith(
        f"A mapped Notion property does not exist: Notion database {DB} has no property named "
        "'Impact level' (mapped in the config); its properties are 'Name', 'Severity',"
    )


def test_pmdash_sync_with_a_config_puts_notion_beside_git(fake: FakeNotion, tmp_path: Path) -> None:
    from cli import main

    folder = tmp_path / "postmortems"
    folder.mkdir()
    (folder / "2024-02-01-api-outage.md").write_text(
        "# API outage\n\nSeverity: SEV3\n\n## Action items\n\n- [ ] Add alerting\n"
    )
    config = tmp_path / "pmdash.toml"
    config.write_text(f"""
[store]
path = "store.duckdb"

[[sources]]
name = "handbook"
kind = "git"
path = "postmortems"

[[sources]]
name = "notion-postmortems"
kind = "notion"
database_id = "{DB}"
token_env = "{TOKEN_ENV}"
api_url = "{fake.url}"
[sources.properties]
severity = "Severity"
services = "Services"
""")
    outcome = CliRunner().invoke(main, ["sync", "--config", str(config)])
    assert outcome.exit_code == 0, outcome.output  # a partial sync (one bad page) is not a failure
    assert (
        "notion-postmortems: partial (7 seen, 5 loaded, 0 unchanged, 1 skipped, 1 failed, 0 removed)"
        in outcome.output
    )
    kinds = query(
        tmp_path / "store.duckdb",
        "select source_kind, count(*) as n from incidents group by all order by 1",
    )
    assert kinds == [{"source_kind": "git", "n": 1}, {"source_kind": "notion", "n": 5}]
    assert TOKEN not in outcome.output
