"""Jira as the action items' tracker (SPEC §4.4): atlassian-python-api 4.0.7 against the fake
Jira of tests/fakes/jira_server.py, through a real sync of Markdown post-mortems."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import query
from fakes.jira_server import FakeJira, Issue
from tracker_setup import JIRA_TOKEN, JIRA_USER, everything_stored, items, run, write_items

from loaders.trackers import jira

ISSUES = [
    Issue("OPS-1", "To Do", "new", assignee="Mia Krystof", duedate="2024-06-01"),
    Issue("OPS-2", "In Review", "indeterminate"),
    Issue("OPS-3", "Done", "done", "Done", "2024-05-03T11:00:00.000+0000"),
    Issue("OPS-4", "Closed", "done", "Won't Do", "2024-05-04T09:30:00.000+0200"),
    Issue("OPS-5", "Closed", "done", "Duplicate", "2024-05-05T00:00:00.000+0000"),
    Issue("PAY-6", "Resolved", "done", "Fixed", "2024-05-06T00:00:00.000+0000"),
]
EXPECTED = {  # key -> (tracker_status, closed_at in UTC): the rule each one checks
    "OPS-1": ("open", None),  # category new
    "OPS-2": ("in_progress", None),  # category indeterminate
    "OPS-3": ("done", datetime(2024, 5, 3, 11)),  # done, resolution Done
    "OPS-4": ("wont_do", datetime(2024, 5, 4, 7, 30)),  # Won't Do; +0200 -> UTC
    "OPS-5": ("wont_do", datetime(2024, 5, 5)),  # Duplicate: not done here
    "PAY-6": ("done", datetime(2024, 5, 6)),  # any other resolution of the done category
}


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_USER", JIRA_USER)
    monkeypatch.setenv("JIRA_TOKEN", JIRA_TOKEN)
    monkeypatch.setattr(jira, "RETRY_DELAY_SECONDS", 0.001)


def conf(root: str, **extra: object) -> dict[str, object]:
    return {"jira": {"url": root, "username_env": "JIRA_USER", "token_env": "JIRA_TOKEN",
                     "cloud": False, **extra}}  # fmt: skip


@pytest.mark.parametrize("cloud", [False, True], ids=["server", "cloud"])
def test_statuses_fields_and_browse_links(tmp_path: Path, db: Path, cloud: bool) -> None:
    with FakeJira(ISSUES) as fake:
        docs = write_items(tmp_path / "docs", [
            "Add a pool limit OPS-1", "Alert on lag OPS-2", "Fix retries (OPS-3)",
            f"Rewrite it {fake.root}/browse/OPS-4", "Cache warm-up OPS-5", "Refund job PAY-6",
            "Hash with SHA-1 and UTF-8",  # prose: not tickets
        ])  # fmt: skip
        result = run(db, docs, conf(fake.root, cloud=cloud))["tracker:jira"]
        paths = [p for p, _, _ in fake.requests]
    assert paths == ["/rest/api/2/search/jql" if cloud else "/rest/api/2/search"]
    assert result.message.startswith("6 tickets: 6 found")
    found = items(db)
    assert {k: (r["tracker_status"], r["closed_at"]) for k, r in found.items()} == EXPECTED
    assert (found["OPS-1"]["owner"], found["OPS-1"]["due_date"]) == (
        "Mia Krystof",
        date(2024, 6, 1),
    )
    assert found["OPS-1"]["ticket_url"] == f"{fake.root}/browse/OPS-1"  # a bare key gets its link


def test_project_keys_limit_what_is_asked(tmp_path: Path, db: Path) -> None:
    with FakeJira(ISSUES) as fake:
        docs = write_items(tmp_path / "docs", ["A OPS-1", "B PAY-6", "C ABC-7"])
        run(db, docs, conf(fake.root, project_keys=["OPS"]))
        assert fake.requests[0][1]["jql"] == "key in (OPS-1)"
    rows = query(db, "select ticket, ticket_url, tracker_state from action_items order by position")
    assert [(r["ticket"], r["tracker_state"]) for r in rows] == [
        ("OPS-1", "found"),
        ("PAY-6", None),
        ("ABC-7", None),
    ]
    assert rows[1]["ticket_url"] is None  # not Jira's: no browse link invented


def test_batches_of_100_and_unknown_keys(tmp_path: Path, db: Path) -> None:
    issues = [Issue(f"OPS-{n}") for n in range(1, 251)]
    with FakeJira(issues, hidden=("OPS-7",)) as fake:
        docs = write_items(
            tmp_path / "docs", [f"Item OPS-{n}" for n in range(1, 251)] + ["Gone OPS-999"]
        )
        run(db, docs, conf(fake.root))
        # 251 keys: 100 + 100 + 51; Data Center warns about OPS-7 and OPS-999 instead of failing.
        assert [len(q["jql"].split(",")) for _, q, _ in fake.requests] == [100, 100, 51]
    states = {k: r["tracker_state"] for k, r in items(db).items()}
    assert states["OPS-7"] == "not_found" and states["OPS-999"] == "not_found"
    assert sum(s == "found" for s in states.values()) == 249


def test_cloud_400_on_unknown_keys_asks_again_without_them(tmp_path: Path, db: Path) -> None:
    with FakeJira(ISSUES) as fake:
        docs = write_items(tmp_path / "docs", ["A OPS-1", "B OPS-404"])
        run(db, docs, conf(fake.root, cloud=True))
        assert [(q["jql"], s) for _, q, s in fake.requests] == [
            ("key in (OPS-1, OPS-404)", 400), ("key in (OPS-1)", 200)]  # fmt: skip
    assert {k: r["tracker_state"] for k, r in items(db).items()} == {
        "OPS-1": "found",
        "OPS-404": "not_found",
    }


def test_incremental_resync_is_one_request(tmp_path: Path, db: Path) -> None:
    issues = [
        Issue(f"OPS-{n}", "Done", "done", "Done", "2024-05-03T11:00:00.000+0000")
        for n in range(1, 151)
    ]
    with FakeJira(issues) as fake:
        docs = write_items(tmp_path / "docs", [f"Item OPS-{n}" for n in range(1, 151)])
        run(db, docs, conf(fake.root))
        assert len(fake.requests) == 2
        run(db, docs, conf(fake.root))
        assert len(fake.requests) == 3  # "what changed in OPS since?": nothing
        assert fake.requests[2][1]["jql"].startswith("project in (OPS) and updated >= -")
        fake.issues["OPS-9"] = Issue(
            "OPS-9",
            "Reopened",
            "new",
            updated=datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M:%S.000%z"),
        )
        run(db, docs, conf(fake.root))
        assert len(fake.requests) == 4  # the probe's answer carries the changed issue itself
    assert items(db)["OPS-9"]["status"] == "open"


def test_429_is_retried_after_retry_after_and_401_fails_clearly(tmp_path: Path, db: Path) -> None:
    with FakeJira(ISSUES) as fake:
        docs = write_items(tmp_path / "docs", ["A OPS-1"])
        fake.fail(429, times=2, headers={"Retry-After": "0"})
        assert run(db, docs, conf(fake.root))["tracker:jira"].status == "ok"
        assert [s for _, _, s in fake.requests] == [429, 429, 200]
        fake.fail(503, times=10)
        failed = run(db, docs, conf(fake.root))["tracker:jira"]
        assert len(fake.requests) == 3 + 4  # 1 try + 3 retries, then the tracker's part fails
    assert failed.status == "failed"
    assert items(db)["OPS-1"]["tracker_state"] == "found"  # the earlier answer is kept


def test_refused_credentials(tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TOKEN", "wrong-token-000")
    with FakeJira(ISSUES) as fake:
        results = run(db, write_items(tmp_path / "docs", ["A OPS-1"]), conf(fake.root))
    assert results["docs"].status == "ok"
    assert results["tracker:jira"].message == (
        "Jira could not be asked about the tickets: Jira refused the credentials in $JIRA_USER "
        "and $JIRA_TOKEN (401): check that they are valid and may browse the projects."
    )
    stored = everything_stored(db)
    assert "wrong-token-000" not in stored and JIRA_TOKEN not in stored
