"""The pages with a tracker connected (SPEC §6-7): drift and "status from" on Action items,
"Fix held?" on Recurrence, the tracker panel on Data & sources; and without one, what
connecting one would add. AppTest on the hand-built store after a Jira tracker answered
(tracker_setup.answered_hand_store) and on the sample corpus (no tracker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pages import frame_with, open_page
from tracker_setup import answered_hand_store


@pytest.fixture
def answered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    db = answered_hand_store(tmp_path)
    monkeypatch.setenv("PMDASH_DB", db)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    return db


def test_action_items_show_drift_and_where_statuses_come_from(answered: str) -> None:
    at = open_page("action_items", since="2026-01-01", until="2026-12-31")
    drift = frame_with(at, "drift", "document_status", "tracker_status")
    # The four tickets of the hand store: every one disagrees or is unknown (see tracker_setup).
    assert sorted(drift["ticket"]) == ["DB-7", "OPS-1", "OPS-2", "WEB-3"]
    captions = " ".join(c.value for c in at.caption)
    # 8 items (G has no date, so a date filter leaves it out): the tracker speaks for 3 (A2,
    # D1, I1), the documents for 4 (A1, B2, J1, C1), B1 has no status at all.
    assert "Status from: tracker 38% · document 50% · unknown 12% of 8 items" in captions
    assert not [i for i in at.info if "Connect GitHub or Jira" in i.value]


def test_recurrence_asks_whether_the_fix_held(answered: str) -> None:
    at = open_page("recurrence", since="2026-01-01", until="2026-12-31", dim="category")
    held = frame_with(at, "held", "fixed_on")
    assert dict(zip(held["incident_id"], held["held"], strict=True)) == {
        "team:A.md": "no",  # B (deploy) began 28 days after A's last item closed (window 180)
        "team:D.md": "no",  # E (database) began 42 days after D's, within the 180-day window
    }


def test_data_and_sources_show_the_tracker(answered: str) -> None:
    at = open_page("data_sources")
    panel = frame_with(at, "tracker", "found", "not_found", "requests")
    assert panel.iloc[0][["tracker", "found", "not_found", "requests"]].tolist() == [
        "jira",
        3,
        1,
        1,
    ]


def test_without_a_tracker_the_page_says_what_one_adds(
    sample_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", sample_db)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    at = open_page("action_items")
    hint = [i.value for i in at.info if "Connect GitHub or Jira" in i.value]
    assert len(hint) == 1 and "name a ticket" in hint[0]
    assert not [s for s in at.subheader if s.value.startswith("Drift")]
