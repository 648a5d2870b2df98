"""Documents with YAML front matter: every field reaches the store as written."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

from conftest import FIXTURES, query


def test_every_front_matter_field_reaches_the_store(tmp_path: Path, sync_folder, db: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / "markdown" / "full_front_matter.md", folder / "checkout.md")
    assert sync_folder(folder).status == "ok"

    [row] = query(db, "select * from incidents")
    expected = {
        "incident_id": "docs:checkout.md",
        "source_kind": "git",
        "title": "Checkout API returned 502s after a config push",
        "incident_date": date(2025, 3, 14),
        # Z times are stored as UTC wall-clock times.
        "started_at": datetime(2025, 3, 14, 9, 12),
        "detected_at": datetime(2025, 3, 14, 9, 20),
        "resolved_at": datetime(2025, 3, 14, 10, 17),
        "severity": "SEV2",  # 'Sev 2' matches SEV2 ignoring case and punctuation
        "severity_rank": 2,
        "severity_raw": "Sev 2",
        "status": "published",
        "kind": "incident",
        "summary": "A bad config push made checkout return 502s for 65 minutes.",
        "root_cause": "The new upstream timeout was 0 s.",
        "customer_impact": "About 3% of checkouts failed.",
        "time_to_detect_minutes": 8.0,  # 09:20 - 09:12
        "time_to_recover_minutes": 65.0,  # 10:17 - 09:12
        "sections": [
            "summary",
            "timeline",
            "contributing_factors",
            "root_cause",
            "impact",
            "action_items",
        ],
    }
    assert {k: row[k] for k in expected} == expected
    provenance = json.loads(row["provenance"])
    assert provenance["severity"] == "front matter 'severity'"
    assert provenance["time_to_detect_minutes"] == "computed: detected_at - started_at"
    assert provenance["published_at"] == "not stated", "no date stated and the folder is not in git"
    assert row["published_at"] is None

    services = query(db, "select service, service_raw from incident_services order by service")
    assert services == [
        {"service": "checkout", "service_raw": "Checkout"},  # canonical names are lower case
        {"service": "payments-api", "service_raw": "payments-api"},
    ]
    categories = query(db, "select category from incident_categories order by category")
    assert [c["category"] for c in categories] == ["config", "deployment"]
    assert [t["tag"] for t in query(db, "select tag from incident_tags order by tag")] == [
        "customer-facing",
        "rollback",
    ]

    items = query(db, "select * from action_items order by position")
    assert [
        (i["title"], i["owner"], i["due_date"], i["status"], i["status_basis"], i["ticket"])
        for i in items
    ] == [
        (
            "Add a canary stage to the checkout deploy pipeline",
            "maria",
            date(2025, 4, 1),
            "done",
            "field",
            "OPS-1234",
        ),
        (
            "Alert on 5xx rate above 2% for five minutes",
            "Sam Lee",
            date(2025, 4, 15),
            "in_progress",
            "field",
            "acme/infra#88",
        ),
        ("Improve monitoring", None, None, "wont_do", "field", None),
    ]
    assert items[0]["closed_at"] == datetime(2025, 3, 28)
    assert items[1]["ticket_url"] == "https://github.com/acme/infra/issues/88"
    assert items[0]["action_item_id"] == "docs:checkout.md#1"


def test_front_matter_items_are_not_counted_twice_with_a_body_list(
    tmp_path: Path, sync_folder, db: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\ntitle: A\naction_items:\n  - title: Fix the retry loop in the worker\n    status: open\n---\n"
        "## Action items\n- Fix the retry loop in the worker\n- Something only the body says\n"
    )
    sync_folder(folder)
    # Front matter is the structured list; the body's list is prose about the same items.
    assert [i["status"] for i in query(db, "select status from action_items")] == ["open"]


def test_the_shipped_template_round_trips(tmp_path: Path, sync_folder, db: Path) -> None:
    import yaml

    from loaders.config import PROJECT_DIR

    template = PROJECT_DIR / "templates" / "postmortem.md"
    folder = tmp_path / "docs"
    folder.mkdir()
    # A team copies the template under a post-mortem's name; the template itself is skipped.
    shutil.copy(template, folder / "2025-01-01-copied.md")
    shutil.copy(template, folder / "postmortem-template.md")
    result = sync_folder(folder)
    assert (result.loaded, result.skipped) == (1, 1)

    meta = yaml.safe_load(template.read_text().split("---")[1])
    [row] = query(db, "select * from incidents")
    assert row["title"] == meta["title"]
    assert row["incident_date"] == meta["date"]
    for key in ("started_at", "detected_at", "resolved_at"):
        assert (
            row[key] == meta[key].replace(tzinfo=None)
            if isinstance(meta[key], datetime)
            else row[key] is not None
        )
    assert row["severity"] == meta["severity"]
    assert row["status"] == meta["status"] and row["kind"] == meta["kind"]
    assert sorted(
        s["service_raw"] for s in query(db, "select service_raw from incident_services")
    ) == sorted(meta["services"])
    assert sorted(
        c["category_raw"] for c in query(db, "select category_raw from incident_categories")
    ) == sorted(meta["categories"])
    assert sorted(t["tag"] for t in query(db, "select tag from incident_tags")) == sorted(
        meta["tags"]
    )
    items = query(db, "select * from action_items order by position")
    assert len(items) == len(meta["action_items"])
    for item, stated in zip(items, meta["action_items"], strict=True):
        assert item["title"] == stated["title"]
        assert item["owner"] == stated.get("owner")
        assert item["due_date"] == stated.get("due")
        assert item["ticket"] == stated.get("ticket")
    assert row["sections"] == [
        "summary",
        "timeline",
        "contributing_factors",
        "root_cause",
        "impact",
        "action_items",
    ]
