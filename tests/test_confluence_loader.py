"""The Confluence source against a fake Confluence Cloud: fields, pagination, incremental sync.

The real `atlassian-python-api` client talks HTTP to `fakes.confluence_server`, mounted under
/wiki like Cloud, with `cloud = true` in the config, so the tests take production's code path.
The fixture space (tests/fixtures/confluence/space.json) holds 8 labelled pages in ENG —
6 post-mortems, 1 malformed page, 1 template — plus 3 that must not be read: a page in OPS, an
unlabelled ENG page and a labelled blog post.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, git_source, query
from fakes.confluence_server import FakeConfluence, FakePage, load_space

from loaders import store
from loaders.config import Config, SourceConfig
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.sources.confluence.client import Limits
from loaders.sources.confluence.source import ConfluenceSource
from loaders.sync import SyncResult, sync
from queries import incidents as incidents_queries
from queries.filters import Filters

USER, TOKEN = "jane@example.com", "secret-api-token-123"
# Small pages so the 8 labelled pages span several result pages; no waiting between retries.
FAST = Limits(list_page_size=4, body_page_size=3, backoff_seconds=0, max_backoff_seconds=0)
POSTMORTEMS = ["1001", "1002", "1003", "1005", "1007", "1008"]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_USER", USER)
    monkeypatch.setenv("CONFLUENCE_TOKEN", TOKEN)


@pytest.fixture
def fake() -> Iterator[FakeConfluence]:
    pages, users = load_space()
    with FakeConfluence(pages, users) as server:
        yield server


def source(
    fake: FakeConfluence, config: Config | None = None, limits: Limits = FAST, **options: Any
) -> ConfluenceSource:
    settings = {
        "url": fake.url, "space": "ENG", "cloud": True,
        "username_env": "CONFLUENCE_USER", "token_env": "CONFLUENCE_TOKEN", **options,
    }  # fmt: skip
    settings = {k: v for k, v in settings.items() if v is not None}  # None: leave the option out
    config = config or Config()
    return ConfluenceSource.from_config(SourceConfig("confluence-eng", "confluence", settings), config, limits=limits)  # fmt: skip


def run(db: Path, fake: FakeConfluence, **kwargs: Any) -> SyncResult:
    fake.reset_counts()
    return sync(str(db), [source(fake, **kwargs)])[0]


def incident(db: Path, page_id: str) -> dict[str, Any]:
    rows = query(db, "select * from incidents where incident_id = ?", [f"confluence-eng:{page_id}"])
    assert len(rows) == 1, f"page {page_id} is not in the store"
    row = rows[0]
    row["provenance"] = json.loads(row["provenance"])
    return row


def items(db: Path, page_id: str) -> list[dict[str, Any]]:
    sql = "select * exclude (incident_id, action_item_id, tracker_status, tracker_closed_at, tracker_owner, tracker_due_date, tracker_state, tracker_kind, tracker_checked_at, document_status, document_status_basis, document_owner, document_due_date, document_closed_at) from action_items where incident_id = ? order by position"  # fmt: skip
    return query(db, sql, [f"confluence-eng:{page_id}"])


def values(db: Path, table: str, column: str, page_id: str) -> list[Any]:
    sql = f"select {column} from {table} where incident_id = ? order by all"
    return [tuple(r.values()) if len(r) > 1 else r[column] for r in query(db, sql, [f"confluence-eng:{page_id}"])]  # fmt: skip


def stored_ids(db: Path) -> list[str]:
    return [r["source_id"] for r in query(db, "select source_id from incidents order by 1")]


# -- a first sync -----------------------------------------------------------------------------


def test_first_sync_loads_the_labelled_pages_of_the_space(db: Path, fake: FakeConfluence) -> None:
    result = run(db, fake)

    # 8 labelled pages: 6 post-mortems load, the malformed page fails, the template is skipped.
    assert (result.status, result.seen, result.loaded) == ("partial", 8, 6)
    assert (result.failed, result.skipped, result.unchanged) == (1, 1, 0)
    assert stored_ids(db) == POSTMORTEMS  # not OPS's page, the unlabelled page or the blog post
    # One search with bodies, 3 results per page: ceil(8 / 3) = 3 requests, no per-page fetch.
    # Users are looked up once each: Jane and an unknown account (1001), Bob (1002), Erin (1005).
    assert (fake.count("search"), fake.count("content"), fake.count("user")) == (3, 0, 4)
    assert fake.count() == 7
    # Every request went under /wiki with the Basic credentials; pages 2 and 3 used the
    # Cloud-style next link (relative to /wiki) and the cursor it carried.
    assert all(r.path.startswith("/wiki/rest/api/") for r in fake.requests)
    assert {r.authorization.split()[0] for r in fake.requests} == {"Basic"}
    searches = [r.query for r in fake.requests if r.endpoint == "search"]
    assert [("cursor" in q, q["start"]) for q in searches] == [
        (False, "0"),
        (True, "3"),
        (True, "6"),
    ]
    assert searches[0]["cql"] == (
        'type = page and space = "ENG" and label = "postmortem" order by created asc'
    )
    assert set(searches[0]["expand"].split(",")) == {
        "content.body.storage", "content.version", "content.metadata.labels", "content.history",
    }  # fmt: skip


def test_page_properties_and_task_list(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    row = incident(db, "1001")
    assert row["source_kind"] == "confluence"
    assert (
        row["source_url"]
        == f"{fake.url}/spaces/ENG/pages/1001/2024-05-01+Checkout+outage+postmortem"
    )
    # The page title without its leading date; the details macro's date (30 April) outranks the
    # title's (1 May): a stated property is more specific than a date in a title.
    assert row["title"] == "Checkout outage postmortem"
    assert row["incident_date"] == date(2024, 4, 30)
    assert (row["severity"], row["severity_rank"], row["severity_raw"]) == ("SEV2", 2, "SEV2")
    assert row["time_to_recover_minutes"] == 37.0
    assert row["time_to_detect_minutes"] is None
    assert (
        row["summary"] == "Between 14:02 and 14:39 UTC checkout returned 502s for 12 % of requests."
    )
    assert row["root_cause"] == "A config change removed the payments client timeout."
    assert row["customer_impact"] == "About 1,900 orders failed."
    assert row["sections"] == ["summary", "timeline", "root_cause", "impact", "action_items"]
    assert row["published_at"] == datetime(2024, 5, 2, 9, 15)  # page created
    assert row["source_updated_at"] == datetime(2024, 5, 3, 11, 2, 45)  # version 7's time
    assert (row["started_at"], row["detected_at"], row["resolved_at"]) == (None, None, None)
    assert (row["status"], row["kind"]) == (None, None)
    assert row["provenance"] == {
        "title": "page title",
        # The title's 1 May lost to the property and is named as another date written.
        "incident_date": "property 'Incident date' (line 3); other dates written: 2024-05-01 (title)",
        "severity": "property 'Severity' (line 4)",
        "services": "property 'Affected services' (line 6)",
        "categories": "property 'Category' (line 7)",
        "time_to_recover_minutes": "property 'Time to recovery' (line 9)",
        "tags": "page labels",
        "summary": "summary section",
        "root_cause": "root_cause section",
        "customer_impact": "impact section",
        "published_at": "page created",
        **dict.fromkeys(("started_at", "detected_at", "resolved_at", "status", "kind", "time_to_detect_minutes", "contributing_factors"), "not stated"),
    }  # fmt: skip
    assert values(db, "incident_services", "service, service_raw", "1001") == [
        ("checkout", "checkout"), ("payments", "payments"),
    ]  # fmt: skip
    assert values(db, "incident_categories", "category, category_raw", "1001") == [("deployment", "Deployment")]  # fmt: skip
    # Labels are tags, except `postmortem`: every page has it, it is how they were selected.
    assert values(db, "incident_tags", "tag", "1001") == ["checkout", "sev2"]
    none = dict.fromkeys(("closed_at", "created_at"))
    assert items(db, "1001") == [
        # The assignee mention is the owner (its display name looked up), `<time>` the due date,
        # the Jira macro the ticket; an incomplete task is open, by its checkbox.
        {"position": 1, "title": "Add alert on 5xx ratio", "owner": "Jane Doe",
         "due_date": date(2024, 5, 15), "status": "open", "status_raw": "unchecked",
         "status_basis": "checkbox", "ticket": "OPS-123", "ticket_url": None, **none},
        {"position": 2, "title": "Roll back the config change", "owner": None, "due_date": None,
         "status": "done", "status_raw": "checked", "status_basis": "checkbox", "ticket": None,
         "ticket_url": None, **none},
        # A Jira link gives key and URL; the nested task belongs to its parent, and its own
        # assignee (an account Confluence does not know) does not become the parent's owner.
        {"position": 3, "title": "Add a timeout test to the payments client", "owner": None,
         "due_date": None, "status": "open", "status_raw": "unchecked", "status_basis": "checkbox",
         "ticket": "PAY-7", "ticket_url": "https://example.atlassian.net/browse/PAY-7", **none},
    ]  # fmt: skip


def test_labelled_lines_and_an_action_item_table(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    row = incident(db, "1002")
    # No Page Properties: fields come from labelled lines, as in a Markdown post-mortem.
    assert row["title"] == "Search latency incident"
    assert row["incident_date"] == date(2024, 6, 10)  # "Date: June 10, 2024"
    assert (row["severity"], row["severity_rank"], row["severity_raw"]) == ("SEV1", 1, "Critical")
    assert row["time_to_detect_minutes"] == 8.0
    assert row["summary"] == "Search p99 latency rose to 9 s for 40 minutes."
    assert row["sections"] == ["summary", "contributing_factors", "action_items"]
    assert row["provenance"]["incident_date"] == "label 'Date' (line 2)"
    assert row["provenance"]["severity"] == "label 'Severity' (line 3)"
    assert row["provenance"]["categories"] == "not stated"
    assert values(db, "incident_services", "service", "1002") == ["indexer", "search"]
    none = dict.fromkeys(("closed_at", "created_at"))
    assert items(db, "1002") == [
        # Columns by header; the owner cell's mention resolved, the `status` lozenge's title and
        # the Jira macro's key read as text.
        {"position": 1, "title": "Move index rebuilds to 02:00 UTC", "owner": "Bob Smith",
         "due_date": date(2024, 7, 1), "status": "done", "status_raw": "Done",
         "status_basis": "field", "ticket": "SRCH-88", "ticket_url": None, **none},
        {"position": 2, "title": "Alert on p99 latency above 2 s", "owner": "Carol",
         "due_date": date(2024, 7, 15), "status": "in_progress", "status_raw": "In progress",
         "status_basis": "field", "ticket": "SRCH-91",
         "ticket_url": "https://jira.example.com/browse/SRCH-91", **none},
        # Nothing stated but the text: no owner, no date, status unknown (never guessed).
        {"position": 3, "title": "Improve monitoring", "owner": None, "due_date": None,
         "status": "unknown", "status_raw": None, "status_basis": "none", "ticket": None,
         "ticket_url": None, **none},
    ]  # fmt: skip


def test_layouts_and_container_macros_are_read_through(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    row = incident(db, "1003")
    assert (row["title"], row["incident_date"]) == ("Queue backlog", date(2023, 11, 2))
    assert row["provenance"]["incident_date"] == "title (page title)"
    # An info macro inside a layout cell; `P3` is the third level.
    assert (row["severity"], row["severity_raw"]) == ("SEV3", "P3")
    assert values(db, "incident_categories", "category", "1003") == ["capacity"]
    # A panel titled "Summary" and an expand titled "Follow-ups" open their sections.
    assert row["summary"] == "Orders queued for 3 hours after a broker’s disk filled up."
    assert row["sections"] == ["summary", "action_items"]
    assert [(i["title"], i["status"], i["status_basis"], i["status_raw"], i["owner"], i["due_date"]) for i in items(db, "1003")] == [
        ("Add disk alerts on brokers", "done", "marker", "(done)", None, None),
        ("Buy bigger disks", "done", "marker", "~~strike~~", None, None),
        ("Document the broker runbook", "unknown", "none", None, "Dana", date(2023, 12, 1)),
    ]  # fmt: skip


def test_server_style_page_properties_and_user_keys(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    row = incident(db, "1005")
    # Keys in `td` cells, as older Server/Data Center pages write them; `Priority: High`.
    assert row["incident_date"] == date(2023, 8, 9)
    assert (row["severity"], row["severity_raw"]) == ("SEV2", "High")
    assert row["provenance"]["severity"] == "property 'Priority' (line 4)"
    assert values(db, "incident_services", "service", "1005") == ["ldap", "sso"]
    assert [(i["title"], i["owner"], i["status"]) for i in items(db, "1005")] == [
        ("restore the LDAP group mapping", "Erin Admin", "done"),  # an `ri:userkey` mention
        ("review group changes before rollout", None, "open"),
    ]


def test_fields_a_page_does_not_state_stay_empty(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    row = incident(db, "1007")  # two lines: a severity and a sentence
    assert (row["title"], row["severity"]) == ("DNS resolution failures", "SEV3")
    assert row["incident_date"] is None
    assert row["provenance"]["incident_date"] == "not stated"
    assert (row["summary"], row["sections"]) == (None, [])
    assert items(db, "1007") == []
    assert values(db, "incident_tags", "tag", "1007") == []


def test_a_malformed_page_is_one_load_error_and_the_others_load(
    db: Path, fake: FakeConfluence
) -> None:
    run(db, fake)
    errors = query(db, "select document, severity, message from load_errors order by document")
    assert errors == [
        {"document": "1004", "severity": "error",
         "message": "the storage XHTML is not well-formed at line 2, column 53 (Opening and "
                    "ending tag mismatch: strong line 2 and p); open the page in Confluence and "
                    "publish it again to repair it"},
        {"document": "1006", "severity": "warning",
         "message": "'Post-mortem template' looks like a template; not loaded as a post-mortem"},
    ]  # fmt: skip
    assert "1004" not in stored_ids(db)


def test_pagination_follows_next_links_when_the_server_caps_the_page_size(db: Path) -> None:
    pages, users = load_space()
    with FakeConfluence(pages, users, max_limit=2) as fake:
        result = run(db, fake, limits=Limits(body_page_size=25))
        # Asked for 25, given 2 at a time: ceil(8 / 2) = 4 search requests, all 8 pages seen.
        assert (result.seen, result.loaded, fake.count("search")) == (8, 6, 4)
        assert stored_ids(db) == POSTMORTEMS


def test_a_search_that_ignores_the_body_expansion_falls_back_to_fetching_pages(db: Path) -> None:
    pages, users = load_space()
    with FakeConfluence(pages, users, search_bodies=False) as fake:
        result = run(db, fake)
        assert (result.loaded, result.failed, result.skipped) == (6, 1, 1)
        # The 3 searches found the 8 pages without bodies, so each page came by id.
        assert (fake.count("search"), fake.count("content")) == (3, 8)
        assert incident(db, "1001")["severity"] == "SEV2"


# -- re-syncs -----------------------------------------------------------------------------------


def test_unchanged_resync_of_a_clean_space_only_lists(db: Path) -> None:
    pages, users = load_space()
    clean = [p for p in pages if p.id in POSTMORTEMS]
    with FakeConfluence(clean, users) as fake:
        run(db, fake)
        loaded_at = query(db, "select max(loaded_at) as t from incidents")[0]["t"]
        result = run(db, fake)
        assert (result.status, result.seen, result.unchanged, result.loaded) == ("ok", 6, 6, 0)
        # The listing without bodies, 4 per page: ceil(6 / 4) = 2 requests, and nothing else.
        assert (fake.count("search"), fake.count("content"), fake.count("user")) == (2, 0, 0)
        assert {r.query["expand"] for r in fake.requests} == {
            "content.version,content.metadata.labels"
        }
        assert query(db, "select max(loaded_at) as t from incidents")[0]["t"] == loaded_at


def test_unchanged_resync_rereads_the_pages_that_failed_or_were_skipped(
    db: Path, fake: FakeConfluence
) -> None:
    run(db, fake)
    result = run(db, fake)
    assert (result.status, result.unchanged, result.failed, result.skipped) == ("partial", 6, 1, 1)
    # Listing: ceil(8 / 4) = 2. The malformed page and the template are not in the store, so
    # they are read again (by id: neither was edited recently) to report them again.
    assert (fake.count("search"), fake.count("content"), fake.count("user")) == (2, 2, 0)
    assert sorted(r.path.rsplit("/", 1)[1] for r in fake.requests if r.endpoint == "content") == [
        "1004", "1006",
    ]  # fmt: skip
    latest = query(db, "select document from load_errors where sync_id = ? order by 1", [result.sync_id])  # fmt: skip
    assert [r["document"] for r in latest] == ["1004", "1006"]


def test_changes_and_removals_between_two_syncs(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    first_loaded = {r["source_id"]: r["loaded_at"] for r in query(db, "select source_id, loaded_at from incidents")}  # fmt: skip

    fake.edit("1002", storage=fake.pages["1002"].storage.replace("Critical", "Major")
              .replace('<ac:parameter ac:name="title">Done</ac:parameter>', '<ac:parameter ac:name="title">To do</ac:parameter>'))  # fmt: skip
    fake.edit("1007", title="DNS resolution failures in eu-west-1")
    fake.pages["1008"].labels.remove("postmortem")  # lost the label
    del fake.pages["1003"]  # deleted
    fake.pages["1009"] = FakePage("1009", "2024-09-09 Disk full on db-3", "<p>Severity: SEV4</p>",
                                  ["postmortem"], version=1, when=fake.pages["1002"].when)  # fmt: skip
    fake.pages["1001"].labels.append("database")  # a label change saves no new version

    result = run(db, fake)

    # Listed: 1001, 1002, 1004, 1005, 1006, 1007, 1009. Loaded: the three edited or new pages
    # and 1001 (its labels); 1005 unchanged; 1004 fails and 1006 is skipped again.
    assert (result.seen, result.loaded, result.unchanged) == (7, 4, 1)
    assert (result.failed, result.skipped, result.removed) == (1, 1, 2)
    assert stored_ids(db) == ["1001", "1002", "1005", "1007", "1009"]
    # Requests: the listing, ceil(7 / 4) = 2; one "modified since" search with bodies brings the
    # 3 recent pages (3 per page: no next); 1001, 1004 and 1006 were not edited recently, so
    # they come by id. Users: Jane and the unknown account (1001), Bob (1002).
    assert (fake.count("search"), fake.count("content"), fake.count("user")) == (3, 3, 3)
    recent = [r.query for r in fake.requests if r.endpoint == "search"][2]
    minutes = re.fullmatch(
        r'type = page and space = "ENG" and label = "postmortem" '
        r'and lastmodified >= now\("-(\d+)m"\) order by created asc',
        recent["cql"],
    )
    assert minutes and int(minutes[1]) >= 5  # the minutes since the last sync + 5 of overlap
    assert "content.body.storage" in recent["expand"]

    changed = incident(db, "1002")
    assert (changed["severity"], changed["severity_raw"]) == ("SEV2", "Major")
    assert items(db, "1002")[0]["status"] == "open"  # "To do"
    assert incident(db, "1007")["title"] == "DNS resolution failures in eu-west-1"
    new = incident(db, "1009")
    assert (new["title"], new["incident_date"], new["severity"]) == ("Disk full on db-3", date(2024, 9, 9), "SEV4")  # fmt: skip
    assert values(db, "incident_tags", "tag", "1001") == ["checkout", "database", "sev2"]
    # Removed pages leave no rows behind in any table.
    for table in ("incidents", "action_items", "incident_tags", "incident_services", "incident_categories"):  # fmt: skip
        assert query(db, f"select count(*) as n from {table} where incident_id in ('confluence-eng:1003', 'confluence-eng:1008')")[0]["n"] == 0  # fmt: skip
    assert incident(db, "1005")["loaded_at"] == first_loaded["1005"]  # untouched


def test_a_page_deleted_after_it_was_listed_is_removed(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    fake.pages["1001"].labels.append("database")  # changed, not recent: fetched by id
    fake.fail("content", 404, times=1)  # …but gone by then
    result = run(db, fake)
    assert result.status == "partial"  # the malformed page; the 404 itself is no error
    assert "1001" not in stored_ids(db)
    assert result.removed == 1


def test_a_config_change_rereads_every_page(db: Path, fake: FakeConfluence) -> None:
    run(db, fake)
    config = Config(severity_aliases={"Critical": "SEV2"})  # changes the fingerprint
    result = run(db, fake, config=config)
    assert (result.loaded, result.unchanged) == (6, 0)
    # All 8 listed pages need reading and none was edited lately: 8 fetches by id would cost
    # more than re-listing with bodies, ceil(8 / 3) = 3, after the listing's 2.
    assert (fake.count("search"), fake.count("content")) == (5, 0)
    assert incident(db, "1002")["severity"] == "SEV2"


def test_data_center_personal_access_token(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_PAT", "pat-abc-987")
    pages, users = load_space()
    with FakeConfluence(pages, users, basic=None, bearer="pat-abc-987") as fake:
        result = run(db, fake, cloud=False, username_env=None, token_env="CONFLUENCE_PAT")
        assert (result.loaded, result.failed) == (6, 1)
        assert {r.authorization for r in fake.requests} == {"Bearer pat-abc-987"}


def test_confluence_incidents_appear_beside_a_git_folder_in_the_dashboard_queries(
    db: Path, fake: FakeConfluence, tmp_path: Path
) -> None:
    folder = tmp_path / "postmortems"
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "good.md", folder / "login.md")
    # The step that keeps what the dashboard reads (action-item counts), as every sync runs it.
    results = sync(str(db), [git_source(folder), source(fake)], None, [DashboardFacts()])
    assert [r.status for r in results][:2] == ["ok", "partial"]
    with store.connect_read_only(str(db)) as conn:
        table = incidents_queries.table(conn, Filters())
    by_source = table.groupby("source")["incident_id"].count().to_dict()
    assert by_source == {"docs": 1, "confluence-eng": 6}
    checkout = table[table["incident_id"] == "confluence-eng:1001"].iloc[0]
    assert (checkout["severity"], checkout["services"], checkout["action_items"], checkout["open"]) == ("SEV2", "checkout, payments", 3, 2)  # fmt: skip
    assert (
        checkout["url"] == f"{fake.url}/spaces/ENG/pages/1001/2024-05-01+Checkout+outage+postmortem"
    )
