"""The Confluence source when Confluence misbehaves, and when its configuration is wrong.

Retries are bounded (FAST allows 4 attempts per request, with no waiting between them); a
source that cannot be read fails with one line naming what to check, never the token, and
its earlier rows stay exactly as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import query
from fakes.confluence_server import FakeConfluence, load_space

from loaders.config import Config, SourceConfig
from loaders.model import ConfigError
from loaders.sources.confluence.client import Limits
from loaders.sources.confluence.source import ConfluenceSource
from loaders.sync import SyncResult, sync

USER, TOKEN = "jane@example.com", "secret-api-token-123"
FAST = Limits(list_page_size=4, body_page_size=3, backoff_seconds=0, max_backoff_seconds=0)
TABLES = ("incidents", "incident_services", "incident_categories", "incident_tags", "action_items")
TITLE = "Could not read Confluence space ENG"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_USER", USER)
    monkeypatch.setenv("CONFLUENCE_TOKEN", TOKEN)


@pytest.fixture
def fake() -> Iterator[FakeConfluence]:
    pages, users = load_space()
    with FakeConfluence(pages, users) as server:
        yield server


def settings(fake: FakeConfluence, **options: Any) -> dict[str, Any]:
    merged = {
        "url": fake.url, "space": "ENG", "cloud": True,
        "username_env": "CONFLUENCE_USER", "token_env": "CONFLUENCE_TOKEN", **options,
    }  # fmt: skip
    return {k: v for k, v in merged.items() if v is not None}


def run(db: Path, fake: FakeConfluence, limits: Limits = FAST, **options: Any) -> SyncResult:
    fake.reset_counts()
    config = SourceConfig("confluence-eng", "confluence", settings(fake, **options))
    return sync(str(db), [ConfluenceSource.from_config(config, Config(), limits=limits)])[0]


def snapshot(db: Path) -> dict[str, list[dict[str, Any]]]:
    return {t: query(db, f"select * from {t} order by all") for t in TABLES}


def failure(db: Path, result: SyncResult) -> str:
    """The one line the sync recorded, after checking it is the only record of the failure."""
    assert result.status == "failed"
    rows = query(db, "select status, message from sync_runs where sync_id = ?", [result.sync_id])
    assert rows[0]["status"] == "failed" and rows[0]["message"] == result.message
    assert "\n" not in result.message and TOKEN not in result.message
    return result.message


# -- retried faults ---------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured_then_the_sync_completes(
    db: Path, fake: FakeConfluence
) -> None:
    fake.fail("search", 429, times=2, headers={"Retry-After": "0"})
    result = run(db, fake)
    assert (result.status, result.loaded) == ("partial", 6)  # partial: the malformed page
    # ceil(8 / 3) = 3 result pages, the first asked for 3 times (two 429s, then 200).
    assert fake.count("search") == 5


def test_429_that_never_ends_fails_the_source_after_bounded_attempts(
    db: Path, fake: FakeConfluence
) -> None:
    run(db, fake)
    before = snapshot(db)
    fake.fail("search", 429, times=100, headers={"Retry-After": "0"})
    result = run(db, fake)
    assert failure(db, result) == (
        f"{TITLE}: Confluence at {fake.url} kept rate-limiting requests (HTTP 429) for the CQL "
        "search, 4 times in a row: check that the site is up and reachable, then sync again"
    )
    assert fake.count("search") == 4  # FAST.max_attempts, then no more
    assert snapshot(db) == before


def test_a_retry_after_longer_than_the_cap_is_cut_short(db: Path, fake: FakeConfluence) -> None:
    # An hour's Retry-After is cut to Limits.max_retry_after_seconds (120 s in production, 0
    # here), so one slow answer cannot stall a sync for an hour.
    fake.fail("search", 429, times=1, headers={"Retry-After": "3600"})
    result = run(db, fake, limits=replace(FAST, max_retry_after_seconds=0))
    assert result.loaded == 6
    assert fake.count("search") == 4


def test_a_500_is_retried(db: Path, fake: FakeConfluence) -> None:
    fake.fail("search", 500, times=1)
    fake.fail("user", 503, times=1)
    result = run(db, fake)
    assert result.loaded == 6
    # One extra search and one extra user lookup; Jane's name still came through.
    assert (fake.count("search"), fake.count("user")) == (4, 5)
    owner = query(
        db, "select owner from action_items where action_item_id = 'confluence-eng:1001#1'"
    )
    assert owner == [{"owner": "Jane Doe"}]


def test_5xx_that_never_ends_fails_the_source(db: Path, fake: FakeConfluence) -> None:
    fake.fail("search", 502, times=100)
    result = run(db, fake)
    assert failure(db, result) == (
        f"{TITLE}: Confluence at {fake.url} answered HTTP 502 for the CQL search, 4 times in a "
        "row: check that the site is up and reachable, then sync again"
    )
    assert fake.count("search") == 4
    assert query(db, "select count(*) as n from incidents") == [{"n": 0}]


def test_a_timeout_is_retried(db: Path, fake: FakeConfluence) -> None:
    slow = replace(FAST, timeout_seconds=0.3)
    fake.fail("search", 200, times=1, delay=1.0)  # answers only after the client gave up
    result = run(db, fake, limits=slow)
    assert result.loaded == 6
    assert fake.count("search") == 4


def test_timeouts_that_never_end_fail_the_source(db: Path, fake: FakeConfluence) -> None:
    slow = replace(FAST, timeout_seconds=0.2, max_attempts=2)
    fake.fail("search", 200, times=2, delay=0.6)
    result = run(db, fake, limits=slow)
    assert failure(db, result) == (
        f"{TITLE}: Confluence at {fake.url} did not answer within 0.2 s for the CQL search, 2 "
        "times in a row: check that the site is up and reachable, then sync again"
    )


# -- refusals end the source at once --------------------------------------------------------


def test_401_names_the_variables_to_check_and_never_the_token(
    db: Path, fake: FakeConfluence, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLUENCE_TOKEN", "an-expired-token-456")
    result = run(db, fake)
    assert failure(db, result) == (
        f"{TITLE}: Confluence at {fake.url} did not accept the credentials (HTTP 401): check that "
        "CONFLUENCE_USER holds the account e-mail and CONFLUENCE_TOKEN a current API token"
    )
    assert "an-expired-token-456" not in result.message
    assert fake.count() == 1  # not retried


def test_401_with_a_data_center_token(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_PAT", "pat-wrong")
    pages, users = load_space()
    with FakeConfluence(pages, users, basic=None, bearer="pat-right") as fake:
        result = run(db, fake, cloud=False, username_env=None, token_env="CONFLUENCE_PAT")
        assert failure(db, result).endswith(
            "(HTTP 401): check that CONFLUENCE_PAT holds a valid personal access token"
        )


def test_403_says_to_check_the_space_permission(db: Path, fake: FakeConfluence) -> None:
    fake.fail("search", 403, times=1)
    assert failure(db, run(db, fake)) == (
        f"{TITLE}: Confluence at {fake.url} refused the CQL search (HTTP 403): check that the "
        "account in CONFLUENCE_USER may view space ENG and use the REST API"
    )
    assert fake.count() == 1


def test_404_says_to_check_the_url(db: Path, fake: FakeConfluence) -> None:
    result = run(db, fake, url=fake.root + "/confluence")  # a Cloud site lives under /wiki
    assert failure(db, result) == (
        f"{TITLE}: Confluence at {fake.root}/confluence answered 404 Not Found for the CQL "
        "search: check `url` of source 'confluence-eng' (a Cloud site's ends in /wiki)"
    )
    assert fake.count() == 1


def test_unparseable_cql_is_reported_with_the_query(db: Path, fake: FakeConfluence) -> None:
    result = run(db, fake, cql='title ~~ "outage"')
    message = failure(db, result)
    assert message.startswith(
        f'{TITLE}: Confluence could not run the CQL query \'type = page and space = "ENG" and '
        'label = "postmortem" and (title ~~ "outage") order by created asc\' (HTTP 400: Could '
        "not parse cql : "
    )
    assert message.endswith("): check `space`, `label` and `cql` of source 'confluence-eng'")
    assert fake.count() == 1


def test_extra_cql_is_anded_in(db: Path, fake: FakeConfluence) -> None:
    result = run(db, fake, cql='title ~ "outage"')
    # Only 1001's title ("…Checkout outage postmortem") contains "outage".
    assert (result.status, result.seen, result.loaded) == ("ok", 1, 1)


def test_a_missing_environment_variable_is_named(
    db: Path, fake: FakeConfluence, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFLUENCE_TOKEN")
    result = run(db, fake)
    assert failure(db, result) == (
        "Confluence credentials are missing: the environment variable CONFLUENCE_TOKEN is not "
        "set: put an API token (id.atlassian.com > Security > API tokens) in it (source "
        "'confluence-eng')"
    )
    assert fake.count() == 0


def test_an_answer_that_is_not_a_search_result(db: Path, fake: FakeConfluence) -> None:
    # What a Cloud site sends for a path it does not serve as an API: its web app's HTML.
    fake.fail("search", 200, times=1, headers={"Content-Type": "text/html"}, body="<html></html>")
    assert failure(db, run(db, fake)) == (
        f"{TITLE}: Confluence at {fake.url} did not answer the CQL search with search results: "
        "check `url` (for Cloud it ends in /wiki)"
    )


def test_a_next_link_to_another_host_is_not_followed(db: Path, fake: FakeConfluence) -> None:
    body = {"results": [], "size": 0, "_links": {"base": "https://evil.example/wiki",
            "next": "https://evil.example/wiki/rest/api/search?cursor=x"}}  # fmt: skip
    fake.fail("search", 200, times=1, body=body)
    assert failure(db, run(db, fake)) == (
        f"{TITLE}: Confluence's next-page link leads outside {fake.url}; not followed"
    )
    assert fake.count() == 1


def test_users_confluence_will_not_show_keep_their_ids(db: Path, fake: FakeConfluence) -> None:
    fake.fail("user", 403, times=1)
    result = run(db, fake)
    assert result.loaded == 6
    # After one refusal no more lookups are made; mentions keep the raw account ids.
    assert fake.count("user") == 1
    owners = query(db, "select owner from action_items where owner is not null order by all")
    assert [r["owner"] for r in owners] == [
        "557058:b0b", "5b10ac8d82e05b22cc7d4ef5", "8a7f808a6f6c0f3c016f6c1a2b3c0001", "Carol", "Dana",
    ]  # fmt: skip


def test_the_token_reaches_no_message_log_or_table(
    db: Path, fake: FakeConfluence, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    run(db, fake)
    fake.fail("search", 429, times=100, headers={"Retry-After": "0"})
    run(db, fake)
    fake.fail("search", 401, times=1)
    run(db, fake)
    assert TOKEN not in caplog.text
    tables = ("sync_runs", "load_errors", *TABLES)
    for table in tables:
        for row in query(db, f"select * from {table}"):
            assert TOKEN not in str(row)
    # The token was sent, as HTTP Basic credentials, and only there.
    assert all(TOKEN not in r.path and TOKEN not in str(r.query) for r in fake.requests)


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"url": None}, "`url` is required"),
        ({"space": None}, "`space` is required"),
        ({"token_env": None}, "`token_env` is required"),
        ({"spaces": "ENG"}, "unknown option(s) spaces; the options are url, space, label, cql, "
                            "username_env, token_env, cloud"),
        ({"url": "example.atlassian.net/wiki"}, "`url` must be an http(s) address such as "
         "https://example.atlassian.net/wiki, not 'example.atlassian.net/wiki'"),
        ({"url": "https://jane:tok@example.atlassian.net/wiki"}, "`url` must not carry "
         "credentials or a query; credentials go in the environment variables named by "
         "`username_env` and `token_env`"),
        ({"cloud": "yes"}, "`cloud` must be true or false"),
        ({"username_env": None}, "Confluence Cloud needs `username_env`, the variable holding the "
         "account e-mail that goes with the API token in `token_env`"),
        ({"space": "ENG OPS"}, "`space` must be a space key such as ENG, not 'ENG OPS'"),
        ({"label": ""}, "`label` must be a non-empty string"),
        ({"token_env": "ATATT3xFfGF0-abc"}, "`token_env` must name an environment variable (like "
         "CONFLUENCE_TOKEN), not hold the secret itself"),
    ],
)  # fmt: skip
def test_configuration_errors_say_what_to_fix(
    fake: FakeConfluence, options: dict[str, Any], problem: str
) -> None:
    config = SourceConfig("confluence-eng", "confluence", settings(fake, **options))
    with pytest.raises(ConfigError) as raised:
        ConfluenceSource.from_config(config, Config())
    assert str(raised.value) == f"Confluence source 'confluence-eng': {problem}."


def test_a_cloud_site_without_wiki_in_its_url_gets_it() -> None:
    config = SourceConfig("c", "confluence", {"url": "https://example.atlassian.net/", "space": "ENG", "username_env": "U", "token_env": "T"})  # fmt: skip
    source = ConfluenceSource.from_config(config, Config())
    assert source.settings.target.url == "https://example.atlassian.net/wiki"
    assert source.settings.target.cloud is True  # from the host name, as `cloud` was not given
    assert source.settings.label == "postmortem"
