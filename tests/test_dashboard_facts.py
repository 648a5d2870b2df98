"""What the last sync step keeps for the dashboard (loaders/enrich/dashboard_facts.py) equals
what the pages used to work out on every view: per-incident action-item counts and pending
items as the `group by incident_id` over action_items the queries ran, and vague items as the vague-item
rule applied to every item's title. On the sample corpus and on the real post-mortems of
/work/shared/corpus synced the way `pmdash sync` syncs them (every default step)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import git_source, query

from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.hygiene import vague_reason
from loaders.sync import sync

# What incident_table.sql, recurring_pattern_incidents.sql, deja_vu.sql and fix_held.sql
# computed before the step existed.
ON_THE_FLY_COUNTS = """
select incident_id,
       count(*) as items,
       count(*) filter (where status = 'done') as done,
       count(*) filter (where status = 'open') as open,
       count(*) filter (where status = 'in_progress') as in_progress,
       count(*) filter (where status = 'wont_do') as wont_do,
       count(*) filter (where status = 'unknown') as unknown,
       max(case when status in ('open', 'in_progress') then timestamp 'infinity'
                when status = 'done' then closed_at end) as pending_until,
       case when bool_and(status = 'done' and closed_at is not null) then max(closed_at) end
           as fixed_at,
       -- déjà vu's items of an earlier incident not done when a repeat began came from a
       -- join on action_items: open and in-progress ones always, done ones until closed_at.
       list_sort(coalesce(list({'title': title,
                                'open_until': case when status = 'done' then closed_at
                                                   else timestamp 'infinity' end})
                          filter (where status in ('open', 'in_progress')
                                     or (status = 'done' and closed_at is not null)), []))
           as pending_items
from action_items
group by incident_id
order by incident_id
"""
STORED_COUNTS = """
select * replace (list_sort(pending_items) as pending_items)
from incident_item_counts order by incident_id
"""


def _check(db: str) -> None:
    stored = query(db, STORED_COUNTS)
    assert stored == query(db, ON_THE_FLY_COUNTS)
    items = query(db, "select action_item_id, incident_id, title from action_items")
    expected = sorted(
        (i["action_item_id"], i["incident_id"], reason)
        for i in items
        if (reason := vague_reason(i["title"]))
    )
    flagged = query(db, "select action_item_id, incident_id, reason from vague_action_items")
    assert sorted(tuple(r.values()) for r in flagged) == expected
    # Not vacuous: the store has items, and some of them are vague.
    assert sum(r["items"] for r in stored) == len(items) > 0
    assert expected


def test_the_stored_facts_equal_the_on_the_fly_results_on_the_sample(sample_db: str) -> None:
    _check(sample_db)


def test_the_stored_facts_equal_the_on_the_fly_results_on_the_real_corpus(corpus_db: str) -> None:
    _check(corpus_db)


def test_the_facts_follow_a_resync(tmp_path: Path) -> None:
    # A post-mortem whose one item becomes done: its counts change with the next sync.
    docs = tmp_path / "docs"
    docs.mkdir()
    page = docs / "pm.md"
    page.write_text("# 2024-05-01 Outage\n\n## Action items\n- [ ] Improve monitoring\n")
    db = str(tmp_path / "store.duckdb")
    steps = [DashboardFacts()]
    sync(db, [git_source(docs)], None, steps)
    assert query(db, "select open, done from incident_item_counts") == [{"open": 1, "done": 0}]
    assert query(db, "select reason from vague_action_items") == [
        {"reason": "fewer than 4 words"}  # "Improve monitoring"
    ]
    page.write_text("# 2024-05-01 Outage\n\n## Action items\n- [x] Add an alert on p99 above 2 s\n")
    sync(db, [git_source(docs)], None, steps)
    assert query(db, "select open, done from incident_item_counts") == [{"open": 0, "done": 1}]
    assert query(db, "select * from vague_action_items") == []


def test_a_sync_that_changed_nothing_keeps_the_facts_and_any_input_change_rebuilds_them(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pm.md").write_text(
        "# 2024-05-01 Outage\n\n## Action items\n- [ ] Improve monitoring\n"
    )
    db = str(tmp_path / "store.duckdb")
    [_, first] = sync(db, [git_source(docs)], None, [DashboardFacts()])
    assert first.message.startswith("action items counted for 1 incidents")
    # Nothing changed: the step compares its inputs and keeps what it wrote.
    [_, again] = sync(db, [git_source(docs)], None, [DashboardFacts()])
    assert again.message.startswith("unchanged")
    assert query(db, "select open, done from incident_item_counts") == [{"open": 1, "done": 0}]
    # No document changed, but the item's status did (as a tracker's answer changes it):
    # the facts follow.
    with duckdb.connect(db) as conn:
        conn.execute("update action_items set status = 'done', closed_at = timestamp '2024-06-01'")
        DashboardFacts().run(conn, changed=False)
    assert query(db, "select open, done from incident_item_counts") == [{"open": 0, "done": 1}]
    # Another window for déjà vu is another answer: rebuilt too.
    with duckdb.connect(db) as conn:
        assert DashboardFacts(window_days=30).run(conn, changed=False).startswith("action items")
        assert DashboardFacts(window_days=30).run(conn, changed=False).startswith("unchanged")
