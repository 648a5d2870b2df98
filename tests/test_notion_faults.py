"""The Notion source when Notion misbehaves: rate limits, server errors, timeouts, bad tokens.

The real notion-client talks to the fake server, which injects each fault. `FAST` keeps the
backoff in milliseconds and allows 3 attempts per request, so each count below is "1 + the
retries". Where a test must show that Retry-After is obeyed rather than the backoff, it uses a
backoff of at least 5 s and a short timeout on the sync instead of measuring time.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import query
from fakes.notion_server import FakeNotion, add_postmortems_workspace, fixture

from loaders.config import Config, SourceConfig
from loaders.sources.notion.api import Tuning
from loaders.sources.notion.source import NotionSource
from loaders.sync import SyncResult, sync

TOKEN = "ntn_TEST_4f9a1c0d_notion_integration_secret"
TOKEN_ENV = "PMDASH_TEST_NOTION_TOKEN"
FAST = Tuning(timeout_ms=2_000, max_attempts=3, initial_delay_ms=1, max_delay_ms=20)
# With these, a retry that ignored Retry-After would wait 5 to 15 s (backoff with jitter).
SLOW_BACKOFF = Tuning(
    timeout_ms=2_000, max_attempts=3, initial_delay_ms=10_000, max_delay_ms=60_000
)
DB = fixture("database_postmortems")["id"]
DS = fixture("data_source_postmortems")["id"]
ITEMS_DS = fixture("data_source_action_items")["id"]
CHECKOUT = fixture("page_checkout_outage")["id"]
QUERY = f"/v1/data_sources/{DS}/query"
DATABASE = f"/v1/databases/{DB}"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNotion]:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = FakeNotion(TOKEN).start()
    add_postmortems_workspace(server)
    yield server
    server.stop()


def run(fake: FakeNotion, db: Path, tuning: Tuning = FAST, **options: Any) -> SyncResult:
    options = {"database_id": DB, "token_env": TOKEN_ENV, "api_url": fake.url, **options}
    source = NotionSource.from_config(SourceConfig("notion", "notion", options), Config(), tuning)
    return sync(str(db), [source])[0]


def run_briefly(fake: FakeNotion, db: Path, tuning: Tuning, seconds: float = 4.0) -> SyncResult:
    """A sync that must finish within `seconds` (it cannot when it sleeps out a long backoff)."""
    results: list[SyncResult] = []
    worker = threading.Thread(target=lambda: results.append(run(fake, db, tuning)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the sync waited out a backoff instead of Retry-After"
    return results[0]


def stored(db: Path) -> dict[str, list[dict[str, Any]]]:
    tables = (
        "incidents",
        "incident_services",
        "incident_categories",
        "incident_tags",
        "action_items",
    )
    return {t: query(db, f"select * from {t} order by all") for t in tables}


# -- rate limits --------------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_out(fake: FakeNotion, db: Path) -> None:
    # notion-client retries `rate_limited` itself and sleeps Retry-After (0 s here).
    fake.fail("POST", QUERY, 429, "error_429", headers={"Retry-After": "0"}, times=2)
    result = run_briefly(fake, db, SLOW_BACKOFF)
    assert (result.status, result.loaded) == ("partial", 5)  # partial: the malformed page
    assert fake.count("POST", QUERY) == 3  # two 429s, then the answer


def test_429_without_a_notion_body_is_retried_after_retry_after(fake: FakeNotion, db: Path) -> None:
    # A proxy's 429 (no Notion error body): the client gives up at once, the loader retries.
    fake.fail("GET", DATABASE, 429, None, headers={"Retry-After": "0"}, times=1)
    result = run_briefly(fake, db, SLOW_BACKOFF)
    assert result.status == "partial"
    assert fake.count("GET", DATABASE) == 2


def test_endless_429_fails_the_source_after_bounded_attempts(fake: FakeNotion, db: Path) -> None:
    fake.fail("POST", QUERY, 429, "error_429", headers={"Retry-After": "0"})
    result = run(fake, db)
    assert result.status == "failed"
    # 3 attempts in all: the client's retries, and none added on top by the loader.
    assert fake.count("POST", QUERY) == 3
    assert result.message == (
        f"Notion kept rate-limiting pmdash: Notion answered HTTP 429 (rate_limited) to the query "
        f"of data source {DS} of database {DB}, 3 times; try the sync again later. Notion said: "
        "You have been rate limited. Please try again in a few minutes."
    )


# -- server errors, timeouts, an unreachable server ---------------------------------------------


def test_500_on_a_query_is_retried_by_the_loader(fake: FakeNotion, db: Path) -> None:
    # notion-client never retries a POST; the query is read-only, so the loader does.
    fake.fail("POST", QUERY, 500, "error_500", times=1)
    assert run(fake, db).status == "partial"
    assert fake.count("POST", QUERY) == 2


@pytest.mark.parametrize(("method", "path", "what"), [
    ("GET", DATABASE, f"database {DB}"),  # retried by notion-client
    ("POST", QUERY, f"the query of data source {DS}"),  # retried by the loader
])  # fmt: skip
def test_endless_500_fails_the_source_with_one_line(
    fake: FakeNotion, db: Path, method: str, path: str, what: str
) -> None:
    fake.fail(method, path, 500, "error_500")
    result = run(fake, db)
    assert result.status == "failed"
    assert fake.count(method, path) == 3  # bounded: never 3 × 3
    assert result.message == (
        f"Notion is unavailable: Notion answered HTTP 500 (internal_server_error) to {what} of "
        f"database {DB}, 3 times; try the sync again later. Notion said: Unexpected error occurred."
    )
    assert "\n" not in result.message


def test_a_slow_answer_times_out_and_is_tried_again(fake: FakeNotion, db: Path) -> None:
    fake.fail("GET", DATABASE, None, delay=1.0, times=1)  # answers, but after the timeout
    tuning = Tuning(timeout_ms=300, max_attempts=3, initial_delay_ms=1, max_delay_ms=20)
    assert run(fake, db, tuning).status == "partial"
    assert fake.count("GET", DATABASE) == 2


def test_a_server_that_never_answers_in_time_fails_the_source(fake: FakeNotion, db: Path) -> None:
    fake.fail("GET", DATABASE, None, delay=1.0)
    tuning = Tuning(timeout_ms=300, max_attempts=3, initial_delay_ms=1, max_delay_ms=20)
    result = run(fake, db, tuning)
    assert result.status == "failed"
    assert fake.count("GET", DATABASE) == 3
    assert result.message == (
        f"Notion is not answering: Notion did not answer database {DB} within 0.3 s, 3 times; "
        "try the sync again later."
    )


def test_an_unreachable_server_fails_the_source(fake: FakeNotion, db: Path) -> None:
    with socket.socket() as free:  # a port that was free a moment ago: nothing listens there
        free.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{free.getsockname()[1]}"
    source = NotionSource.from_config(
        SourceConfig("notion", "notion", {"database_id": DB, "token_env": TOKEN_ENV, "api_url": url}),
        Config(), FAST,
    )  # fmt: skip
    result = sync(str(db), [source])[0]
    assert result.status == "failed"
    assert result.message == (
        f"Notion is unreachable: Could not reach {url} for database {DB} (ConnectError), 3 times; "
        "check the network and `api_url`."
    )


# -- credentials and sharing ------------------------------------------------------------------


def test_a_wrong_token_says_so_and_names_the_variable(
    fake: FakeNotion, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "ntn_TEST_revoked_token")
    result = run(fake, db)
    assert result.status == "failed"
    assert fake.count("GET") == 1  # a 401 is not retried
    assert result.message == (
        f"The Notion token is wrong: Notion rejected the token in ${TOKEN_ENV} (401 unauthorized) "
        f"while reading database {DB}: set ${TOKEN_ENV} to the integration's internal secret "
        "(https://www.notion.so/profile/integrations)."
    )


def test_a_database_not_shared_with_the_integration_is_named(fake: FakeNotion, db: Path) -> None:
    unshared = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    result = run(fake, db, database_id=unshared)
    assert result.status == "failed"
    assert result.message == (
        "The Notion database is not shared with the integration: Notion database "
        f"{unshared} was not found (404 object_not_found): share it with the integration (the "
        "database's ••• menu → Connections → add the integration) and check `database_id` in "
        "the config."
    )


def test_an_action_items_database_not_shared_is_named(fake: FakeNotion, db: Path) -> None:
    fake.fail("POST", f"/v1/data_sources/{ITEMS_DS}/query", 404, "error_404")
    result = run(fake, db)
    assert result.status == "failed"
    assert result.message == (
        "The Notion action-items database is not shared with the integration: The action items "
        f"that 'Action items' relates to (data source {ITEMS_DS}) were not found (404 "
        "object_not_found): share their database with the integration too (its ••• menu → "
        "Connections → add the integration)."
    )


def test_a_missing_token_variable_is_named(
    fake: FakeNotion, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    result = run(fake, db)
    assert result.status == "failed"
    assert result.message == (
        f"No Notion token: The environment variable {TOKEN_ENV} is not set: set it to the Notion "
        f"integration's secret to read database {DB}."
    )
    assert fake.requests == []


def test_a_page_deleted_while_reading_fails_alone(fake: FakeNotion, db: Path) -> None:
    fake.fail("GET", f"/v1/blocks/{CHECKOUT}/children", 404, "error_404")
    result = run(fake, db)
    assert (result.status, result.loaded, result.failed) == ("partial", 4, 2)
    errors = query(db, "select message from load_errors where document = ?", [CHECKOUT])
    assert errors == [{
        "message": f"Notion answered 404 (object_not_found) for the blocks of {CHECKOUT}: the "
        "page was deleted or unshared during the sync",
    }]  # fmt: skip


# -- a failed sync keeps what was there; the token never leaks -----------------------------------


def test_a_failed_sync_leaves_the_earlier_rows_intact(fake: FakeNotion, db: Path) -> None:
    assert run(fake, db).status == "partial"
    before = stored(db)
    fake.edit_page("page_search_latency_edited", "body_search_latency_edited")
    fake.trash_page(CHECKOUT)
    fake.fail("GET", "/v1/pages/", 500, "error_500")  # reading an item fails after the listing

    result = run(fake, db)

    assert result.status == "failed"
    assert stored(db) == before  # neither the edit nor the removal got in
    runs = query(db, "select status, message from sync_runs order by started_at")
    assert [r["status"] for r in runs] == ["partial", "failed"]
    assert runs[1]["message"].startswith("Notion is unavailable: Notion answered HTTP 500")


def test_the_token_never_appears_in_output_logs_store_or_messages(
    fake: FakeNotion, db: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    messages = [run(fake, db).message]
    # A misbehaving proxy that echoes the Authorization header back in its error message.
    fake.fail("POST", QUERY, 400, "error_400_echo", times=1)
    echoed = run(fake, db)
    messages.append(echoed.message)
    for status, body in ((500, "error_500"), (429, "error_429")):
        fake.fail("POST", QUERY, status, body, headers={"Retry-After": "0"}, times=3)
        messages.append(run(fake, db).message)

    # The echo reached the loader and was blanked out: the check below is not vacuous.
    assert "request had header Authorization: Bearer [token]" in echoed.message
    assert any("request fail" in r.getMessage() for r in caplog.records)  # the client did log
    out, err = capsys.readouterr()
    stored_text = repr(
        [
            query(db, f"select * from {t}")
            for t in ("incidents", "action_items", "sync_runs", "load_errors")
        ]
    )
    for text in (*messages, caplog.text, out, err, stored_text):
        assert TOKEN not in text
