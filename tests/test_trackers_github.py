"""GitHub as the action items' tracker (SPEC §4.4): githubkit against the fake GitHub of
tests/fakes/github_server.py, through a real sync of Markdown post-mortems."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import query
from fakes.github_server import FakeGitHub, Ticket
from tracker_setup import GITHUB_TOKEN, everything_stored, items, run, write_items

from loaders.config import parse_config
from loaders.enrich import steps_for
from loaders.model import ConfigError
from loaders.trackers import github

# One ticket per mapping rule of SPEC §4.4, in the repository acme/api.
STATES = [
    Ticket(1, state="open", assignees=["ann", "bob"], due_on="2024-06-30T07:00:00Z"),
    Ticket(2, state="closed", state_reason="completed", closed_at="2024-05-05T10:00:00Z"),
    Ticket(3, state="closed", state_reason=None, closed_at="2024-05-06T10:00:00Z"),
    Ticket(4, state="closed", state_reason="not_planned", closed_at="2024-05-07T10:00:00Z"),
    Ticket(5, state="closed", state_reason="duplicate", closed_at="2024-05-08T10:00:00Z"),
    Ticket(6, state="open", state_reason="reopened"),
    Ticket(7, pull=True, state="open"),
    Ticket(8, pull=True, state="open", draft=True),
    Ticket(
        9,
        pull=True,
        state="merged",
        merged_at="2024-05-09T12:30:00Z",
        closed_at="2024-05-09T12:30:00Z",
    ),
    Ticket(10, pull=True, state="closed", closed_at="2024-05-10T10:00:00Z"),
]
# ticket -> (tracker_status, effective closed_at): the rule each one checks.
EXPECTED = {
    "acme/api#1": ("open", None),  # open issue
    "acme/api#2": ("done", datetime(2024, 5, 5, 10)),  # closed as completed
    "acme/api#3": ("done", datetime(2024, 5, 6, 10)),  # closed without a reason
    "acme/api#4": ("wont_do", datetime(2024, 5, 7, 10)),  # closed as not planned
    "acme/api#5": ("wont_do", datetime(2024, 5, 8, 10)),  # closed as a duplicate
    "acme/api#6": ("open", None),  # reopened
    "acme/api#7": ("in_progress", None),  # open pull request
    "acme/api#8": ("in_progress", None),  # draft pull request
    "acme/api#9": ("done", datetime(2024, 5, 9, 12, 30)),  # merged: closed at the merge
    "acme/api#10": ("open", None),  # closed unmerged: the fix did not ship
}


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github, "RETRY_DELAY_SECONDS", 0.001)


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_TOKEN", GITHUB_TOKEN)


def state_items(host: str) -> list[str]:
    """Every reference form: a link on the tracker's host (issue and pull paths),
    OWNER/REPO#N in text, and #N with default_repo."""
    return [
        f"Fix retries {host}/acme/api/issues/1",
        f"Add alert {host}/acme/api/issues/2",
        "Rotate keys acme/api#3",
        "Write runbook acme/api#4",
        "Drop cache acme/api#5",
        "Tune pool acme/api#6",
        f"Ship patch {host}/acme/api/pull/7",
        "Canary deploys #8",
        "Merge fix #9",
        "Revert flag #10",
    ]


@pytest.mark.parametrize("authenticated", [True, False], ids=["graphql", "rest"])
def test_every_state_maps_as_the_spec_says(tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch,
                                           authenticated: bool) -> None:  # fmt: skip
    with FakeGitHub({"acme/api": STATES}) as gh:
        docs = write_items(tmp_path / "docs", state_items(gh.root))
        conf = {"api_url": gh.root, "default_repo": "acme/api"}
        if authenticated:
            monkeypatch.setenv("GH_TOKEN", GITHUB_TOKEN)
            conf["token_env"] = "GH_TOKEN"
        results = run(db, docs, {"github": conf})
        # 10 tickets in one GraphQL request, or one REST request each.
        assert gh.count("graphql" if authenticated else "rest") == (1 if authenticated else 10)
        assert gh.count() == (1 if authenticated else 10)
    assert results["tracker:github"].status == "ok"
    found = items(db)
    assert {t: (r["tracker_status"], r["closed_at"]) for t, r in found.items()} == EXPECTED
    assert all(
        r["status_basis"] == "tracker" and r["tracker_state"] == "found" for r in found.values()
    )
    # Effective status = the tracker's; the document said nothing (unknown), kept beside it.
    assert {r["document_status"] for r in found.values()} == {"unknown"}
    first = found["acme/api#1"]
    assert (first["owner"], first["due_date"]) == (
        "ann",
        date(2024, 6, 30),
    )  # first assignee; milestone due_on
    # The merged pull request has its merge time as tracker_closed_at; the unmerged one none.
    assert found["acme/api#9"]["tracker_closed_at"] == datetime(2024, 5, 9, 12, 30)
    assert found["acme/api#10"]["tracker_closed_at"] is None
    # `#8` became the full key and got the web link.
    assert found["acme/api#8"]["ticket_url"] == f"{gh.root}/acme/api/issues/8"


def test_batches_hold_at_most_100_tickets(tmp_path: Path, db: Path, token: None) -> None:
    tickets = [Ticket(n) for n in range(1, 251)]
    with FakeGitHub({"acme/api": tickets}) as gh:
        docs = write_items(tmp_path / "docs", [f"Item {n} acme/api#{n}" for n in range(1, 251)])
        run(db, docs, {"github": {"api_url": gh.root, "token_env": "GH_TOKEN"}})
        assert gh.count("graphql") == 3  # 250 tickets: 100 + 100 + 50
    assert (
        query(db, "select count(*) as n from action_items where tracker_state = 'found'")[0]["n"]
        == 250
    )


def test_unknown_and_refused_repositories(tmp_path: Path, db: Path, token: None) -> None:
    with FakeGitHub({"acme/api": [Ticket(1)]}, forbidden=("saml/corp",)) as gh:
        docs = write_items(
            tmp_path / "docs", ["A acme/api#1", "B acme/api#404", "C gone/repo#1", "D saml/corp#2"]
        )
        results = run(db, docs, {"github": {"api_url": gh.root, "token_env": "GH_TOKEN"}})
    states = {t: r["tracker_state"] for t, r in items(db).items()}
    assert states == {"acme/api#1": "found", "acme/api#404": "not_found", "gone/repo#1": "not_found",
                      "saml/corp#2": "forbidden"}  # fmt: skip
    # not_found / forbidden keep the document's values, never guessed.
    assert items(db)["saml/corp#2"]["status_basis"] == "none"
    assert "1 found, 2 not found, 1 forbidden" in results["tracker:github"].message


def test_incremental_resync_asks_only_what_changed(tmp_path: Path, db: Path, token: None) -> None:
    tickets = [Ticket(n, state="closed", closed_at="2024-05-02T00:00:00Z") for n in range(1, 151)]
    tickets += [Ticket(n, state="open") for n in range(151, 201)]
    with FakeGitHub({"acme/api": tickets}) as gh:
        docs = write_items(tmp_path / "docs", [f"Item {n} acme/api#{n}" for n in range(1, 201)])
        conf = {"github": {"api_url": gh.root, "token_env": "GH_TOKEN"}}
        run(db, docs, conf)
        assert gh.count() == 2  # 200 tickets in two batches
        run(db, docs, conf)
        assert gh.count() == 3  # one "what changed since?" probe; nothing changed, nothing asked
        gh.repos["acme/api"][160].state = "closed"
        gh.repos["acme/api"][160].closed_at = gh.repos["acme/api"][160].updated_at = (
            "2100-01-01T00:00:00Z"
        )
        result = run(db, docs, conf)["tracker:github"]
        assert gh.count() == 5  # the probe, then the one changed ticket
        assert "asked about 1 in 2 requests" in result.message
        # A week later every ticket is asked again, closed or not.
        with_db = __import__("duckdb").connect(str(db))
        with_db.execute("update tracker_tickets set checked_at = checked_at - interval 8 day")
        with_db.close()
        run(db, docs, conf)
        assert gh.count() == 7
    assert items(db)["acme/api#160"]["status"] == "done"


def test_anonymous_reads_use_etags_and_stop_when_the_limit_runs_out(
    tmp_path: Path, db: Path
) -> None:
    with FakeGitHub({"acme/api": [Ticket(n) for n in range(1, 71)]}, anonymous_limit=65) as gh:
        docs = write_items(tmp_path / "docs", [f"Item {n} acme/api#{n}" for n in range(1, 71)])
        conf = {"github": {"api_url": gh.root}}
        first = run(db, docs, conf)["tracker:github"]
        # 65 answered, the 66th would be refused: it is never sent (the limit header said 0).
        assert gh.count() == 65
        assert first.status == "partial"
        assert "65 found, 0 not found, 0 forbidden, 5 not checked" in first.message
        assert "anonymous rate limit ran out; it resets at 2100-01-01 00:00 UTC" in first.message
        lookup = query(db, "select requests, resets_at from tracker_lookups")[0]
        assert lookup == {"requests": 65, "resets_at": datetime(2100, 1, 1)}
        # Next hour: the open tickets are asked again with If-None-Match; 304s cost nothing,
        # so the 5 left can be asked once the limit allows (here: 5 more granted).
        gh.anonymous_left = 5
        second = run(db, docs, conf)["tracker:github"]
        statuses = [s for _, _, s in gh.requests[65:]]
        assert statuses.count(304) == 65 and statuses.count(200) == 5
        assert second.status == "ok" and "70 found" in second.message


def test_spent_limit_keeps_earlier_answers(tmp_path: Path, db: Path) -> None:
    with FakeGitHub(
        {"acme/api": [Ticket(1, state="closed", closed_at="2024-05-02T00:00:00Z"), Ticket(2)]}
    ) as gh:
        docs = write_items(tmp_path / "docs", ["A acme/api#1", "B acme/api#2"])
        run(db, docs, {"github": {"api_url": gh.root}})
        gh.anonymous_left = 0
        gh.repos["acme/api"][
            2
        ].updated_at = "2100-01-01T00:00:00Z"  # a changed ETag: a real request
        result = run(db, docs, {"github": {"api_url": gh.root}})["tracker:github"]
    assert result.status == "partial"
    # Both stay found with their earlier values: #1 (closed) was not asked, #2 hit the limit.
    assert {t: r["tracker_state"] for t, r in items(db).items()} == {
        "acme/api#1": "found",
        "acme/api#2": "found",
    }
    assert items(db)["acme/api#1"]["status"] == "done"


def test_enterprise_server_through_api_url(tmp_path: Path, db: Path, token: None) -> None:
    with FakeGitHub(
        {"ops/api": [Ticket(3, state="closed", closed_at="2024-05-02T00:00:00Z")]}
    ) as gh:
        docs = write_items(tmp_path / "docs", [
            f"Ours {gh.root}/ops/api/issues/3",
            "Public https://github.com/ops/api/issues/3",  # github.com is not this tracker
        ])  # fmt: skip
        run(db, docs, {"github": {"api_url": f"{gh.root}/api/v3", "token_env": "GH_TOKEN"}})
        assert [p for _, p, _ in gh.requests] == ["/api/graphql"]
    rows = query(db, "select ticket_url, tracker_state from action_items order by position")
    assert [r["tracker_state"] for r in rows] == ["found", None]


def test_retries_are_bounded_and_honour_retry_after(tmp_path: Path, db: Path, token: None) -> None:
    with FakeGitHub({"acme/api": [Ticket(1)]}) as gh:
        docs = write_items(tmp_path / "docs", ["A acme/api#1"])
        conf = {"github": {"api_url": gh.root, "token_env": "GH_TOKEN"}}
        gh.fail(429, times=1, headers={"Retry-After": "0"})
        assert run(db, docs, conf)["tracker:github"].status == "ok"
        assert gh.count() == 2  # the 429, then the answer
        gh.fail(502, times=10)
        failed = run(db, docs, conf)["tracker:github"]
        assert gh.count() == 2 + 4  # the re-sync's probe: 1 try + 3 retries, then it stops
    assert failed.status == "failed"
    assert (
        failed.message
        == "GitHub could not be asked about the tickets: GitHub answered 502 Bad Gateway."
    )
    # The failure kept the earlier answer and every document row.
    assert items(db)["acme/api#1"]["tracker_state"] == "found"


def test_a_refused_token_is_one_line_naming_the_variable(tmp_path: Path, db: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("GH_TOKEN", "ghp_wrong-token-999")
    with FakeGitHub({"acme/api": [Ticket(1)]}) as gh:
        docs = write_items(tmp_path / "docs", ["A acme/api#1"])
        results = run(db, docs, {"github": {"api_url": gh.root, "token_env": "GH_TOKEN"}})
    failed = results["tracker:github"]
    assert results["docs"].status == "ok" and failed.status == "failed"
    assert failed.message == (
        "GitHub could not be asked about the tickets: GitHub refused the token in $GH_TOKEN "
        "(401 Unauthorized): check that the token is valid and may read the repositories."
    )
    assert query(db, "select count(*) as n from action_items")[0]["n"] == 1
    assert "ghp_wrong-token-999" not in everything_stored(db)


def test_token_never_stored(tmp_path: Path, db: Path, token: None) -> None:
    with FakeGitHub({"acme/api": [Ticket(1)]}) as gh:
        run(db, write_items(tmp_path / "docs", ["A acme/api#1"]),
            {"github": {"api_url": gh.root, "token_env": "GH_TOKEN"}})  # fmt: skip
    assert GITHUB_TOKEN not in everything_stored(db)


def test_a_named_but_unset_token_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GH_TOKN", raising=False)
    config = parse_config({"trackers": {"github": {"token_env": "GH_TOKN"}}})
    with pytest.raises(ConfigError, match="GH_TOKN, which is not set; or leave token_env out"):
        steps_for(config)
