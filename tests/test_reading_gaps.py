"""Reading gaps found in real post-mortems (issue 9, points 6-11), one fixture per pattern.

The rules live in loaders/reading and are shared by the Markdown, Notion and Confluence
sources, so each point is also checked on blocks that did not come from Markdown.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FIXTURES

from loaders.config import Config
from loaders.model import PostMortem
from loaders.normalize import Normalizer
from loaders.reading.document import BlockReader, mark_unstated
from loaders.reading.extract import Rules
from loaders.reading.markdown import parse_markdown
from loaders.sources.confluence.storage import parse_storage
from loaders.sources.notion.blocks import to_blocks

READING = FIXTURES / "reading"


def reader() -> BlockReader:
    config = Config()
    return BlockReader(Rules(config), Normalizer(config))


def read(text: str, name: str = "doc.md") -> PostMortem:
    return parse_markdown(text, source_name="s", source_id=name, reader=reader())


def read_fixture(name: str) -> PostMortem:
    return read((READING / name).read_text(encoding="utf-8"), name)


def read_confluence(xhtml: str) -> PostMortem:
    pm = PostMortem(source_name="c", source_kind="confluence", source_id="1")
    reader().read_blocks(pm, parse_storage(xhtml).blocks, items_stated=False)
    mark_unstated(pm)
    return pm


def statuses(pm: PostMortem) -> list[tuple[str, str, str | None]]:
    return [(a.status, a.status_basis, a.status_raw) for a in pm.action_items]


# -- 6. a sub-heading that says whether its items are finished ------------------------------


def test_status_comes_from_the_sub_heading_unless_the_item_says_otherwise() -> None:
    pm = read_fixture("status_sub_headings.md")
    assert [a.title for a in pm.action_items][:2] == [
        "Restart the consumer when its lag exceeds 10 minutes",
        "Raise the consumer's memory limit to 2 GiB",
    ]
    done, planned = "Immediate fixes (completed)", "Planned work (not yet done or in progress)"
    assert statuses(pm) == [
        ("done", "heading", done),  # "(completed)" in parentheses still speaks for the group
        ("done", "heading", done),
        ("done", "heading", "Already fixed"),
        ("open", "heading", planned),  # "not yet done or in progress" is neither: open
        ("done", "checkbox", "[x]"),  # its own checked box wins over the heading
        ("in_progress", "marker", "(in progress)"),  # its own marker wins
        ("open", "heading", "Not started"),
        ("done", "heading", "Done"),
        ("unknown", "none", None),  # "Infrastructure" says nothing about status
    ], "8 items under status sub-headings, 2 of them overruled by their own marker"
    assert len(pm.action_items) == 9, "the bullet under 'Lessons learned' is no action item"


@pytest.mark.parametrize(
    ("heading", "status"),
    [
        ("Completed", "done"),
        ("Things already fixed", "done"),
        ("Not yet started", "open"),
        ("Still to do", "open"),
        ("Not planned", "wont_do"),  # "planned" alone would be open; the longer phrase wins
        ("In progress (owners assigned)", "in_progress"),
        ("Short-term fixes (tracked in GitHub issue #1234)", "unknown"),
        ("Complete list of follow-ups", "unknown"),  # "complete" as an adjective
    ],
)
def test_status_words_in_sub_headings(heading: str, status: str) -> None:
    pm = read(f"# X\n\n## Action items\n\n### {heading}\n\n- Rotate the keys\n")
    assert pm.action_items[0].status == status


def test_a_bold_status_line_groups_the_items_below_it() -> None:
    pm = read(
        "# X\n\n## Follow-ups\n\n**Done:**\n\n- Rotate the keys\n\n"
        "**Not started:**\n\n- Add key expiry alerts\n"
    )
    assert statuses(pm) == [("done", "heading", "Done"), ("open", "heading", "Not started")]


def test_status_sub_headings_in_a_confluence_page() -> None:
    pm = read_confluence(
        "<h2>Action items</h2><h3>Immediate fixes (completed)</h3><ul><li>Rotate the keys</li></ul>"
        "<h3>Planned work (not yet done or in progress)</h3><ul><li>Alert on expiry</li></ul>"
    )
    assert [(a.status, a.status_basis) for a in pm.action_items] == [
        ("done", "heading"),
        ("open", "heading"),
    ]


# -- 7. a numbered list whose items are each followed by bullets at column 0 -----------------


def test_bullets_after_a_number_are_details_of_that_item() -> None:
    pm = read_fixture("numbered_with_bullets.md")
    # Markdown parses six lists (numbers and bullets alternate); a reader sees three items.
    assert [a.title for a in pm.action_items] == [
        "Generate the backup list from the live inventory",
        "Alert when a database has no backup newer than 24 hours",
        "Run a restore drill every quarter",
    ]
    first, second, _ = pm.action_items
    assert first.owner == "Priya Natarajan", "'owner: Priya Natarajan' is in its details"
    assert (second.ticket, second.due_date) == ("OPS-311", date(2024, 9, 30))


@pytest.mark.parametrize(
    ("body", "titles"),
    [
        # Blank lines between the lists change nothing.
        ("1. Fix A\n\n- detail\n\n2. Fix B\n\n- detail\n", ["Fix A", "Fix B"]),
        # The numbering goes on after the bullets, so they belong to "Fix B".
        ("1. Fix A\n2. Fix B\n- detail\n3. Fix C\n", ["Fix A", "Fix B", "Fix C"]),
        # A single number with bullets under it.
        ("1. Fix A\n- detail one\n- detail two\n", ["Fix A"]),
        # Two numbers, then bullets and nothing after: the bullets may be items of their own,
        # so they stay as written.
        ("1. Fix A\n2. Fix B\n\n- Fix C\n- Fix D\n", ["Fix A", "Fix B", "Fix C", "Fix D"]),
        # Bullets first, numbers after: nothing to attach to.
        ("- Fix A\n\n1. Fix B\n2. Fix C\n", ["Fix A", "Fix B", "Fix C"]),
    ],
)
def test_which_bullets_are_details(body: str, titles: list[str]) -> None:
    pm = read(f"# X\n\n## Action items\n\n{body}")
    assert [a.title for a in pm.action_items] == titles


def test_bullets_after_a_number_outside_the_action_items_are_left_alone() -> None:
    pm = read("# X\n\n## Summary\n\n1. First\n- Severity: SEV2\n")
    assert pm.severity == "SEV2", "a labelled line in such a bullet is still read"


def test_numbered_items_with_bullets_in_a_confluence_page() -> None:
    pm = read_confluence(
        "<h2>Action items</h2><ol><li>Rotate the keys</li></ol><ul><li>owner: Bob</li></ul>"
        '<ol start="2"><li>Alert on expiry</li></ol><ul><li>OPS-9</li></ul>'
    )
    assert [(a.title, a.owner, a.ticket) for a in pm.action_items] == [
        ("Rotate the keys", "Bob", None),
        ("Alert on expiry", None, "OPS-9"),
    ]


def notion_block(kind: str, text: str) -> dict[str, object]:
    return {"type": kind, kind: {"rich_text": [{"plain_text": text}]}}


def test_numbered_items_with_bullets_in_a_notion_page() -> None:
    # Notion sends one flat run of list blocks; numbered items and bullets are told apart.
    tree = [
        notion_block("heading_2", "Action items"),
        notion_block("numbered_list_item", "Rotate the keys"),
        notion_block("bulleted_list_item", "owner: Bob"),
        notion_block("numbered_list_item", "Alert on expiry"),
        notion_block("bulleted_list_item", "OPS-9"),
    ]
    pm = PostMortem(source_name="n", source_kind="notion", source_id="1")
    reader().read_blocks(pm, to_blocks(tree), items_stated=False)
    assert [(a.title, a.owner, a.ticket) for a in pm.action_items] == [
        ("Rotate the keys", "Bob", None),
        ("Alert on expiry", None, "OPS-9"),
    ]


# -- 8. action-item headings written as questions or sentences ------------------------------


def test_a_question_heading_holds_the_action_items() -> None:
    pm = read_fixture("sentence_headings.md")
    assert [a.title for a in pm.action_items] == [
        "Alert when the index volume is 80% full",
        "Build new indexes on a separate volume",
        "Keep at most one previous index copy",
    ], "'How we fixed it' is what was done during the incident; 'What went well' is no item"
    assert "action_items" in pm.sections
    assert pm.action_items[0].owner == "omar"


def test_short_and_long_term_headings_beside_remediation_stay_in_it() -> None:
    pm = read_fixture("remediation_horizons.md")
    # '## Short-term' and '## Long-term' are at the level of '## Remediation' and continue it;
    # '## Lessons learned' ends it.
    assert [a.title for a in pm.action_items] == [
        "Renew the certificate by hand and record the steps",
        "Move certificates to the managed issuer",
        "Page the owning team when a renewal job fails twice",
    ]


@pytest.mark.parametrize(
    ("heading", "is_action_items"),
    [
        ("How do we stop this from happening again?", True),
        ("What we're doing about it", True),
        ("What we are changing", True),
        ("Preventing recurrence", True),
        ("How can we prevent this in the future?", True),
        ("Follow-up work", True),
        ("Remediation", True),
        ("Remediation plan", True),
        ("6. Action items and owners", True),
        ("What's next", True),
        ("What went wrong", False),
        ("How we fixed it", False),
        ("What we did", False),
        ("Resolution", False),
        ("Stop-gap measures during the incident", False),
    ],
)
def test_sentence_headings(heading: str, is_action_items: bool) -> None:
    pm = read(f"# X\n\n## {heading}\n\n- Rotate the keys\n")
    assert bool(pm.action_items) == is_action_items


# -- 9. a ticket named in a sub-heading --------------------------------------------------------


def test_a_sub_heading_ticket_is_the_ticket_of_items_that_name_none() -> None:
    pm = read_fixture("ticket_in_sub_heading.md")
    assert [(a.ticket, a.ticket_url) for a in pm.action_items] == [
        ("#1234", None),  # from "(tracked in GitHub issue #1234)"
        ("OPS-77", None),  # the item names its own ticket
        ("acme/payments#1300", "https://github.com/acme/payments/issues/1300"),  # a linked heading
        (None, None),  # "Phase #2" is not a reference to an issue
    ]


def test_a_sub_heading_ticket_in_a_confluence_page() -> None:
    pm = read_confluence(
        "<h2>Action items</h2><h3>Fixes (tracked in OPS-12)</h3><ul><li>Rotate the keys</li>"
        "<li>Alert on expiry OPS-13</li></ul><h3>Later</h3><ul><li>Managed issuer</li></ul>"
    )
    assert [a.ticket for a in pm.action_items] == ["OPS-12", "OPS-13", None]


# -- 10. conflicting dates -------------------------------------------------------------------


def test_the_timeline_decides_when_title_and_file_name_disagree_with_it() -> None:
    pm = read_fixture("2024-03-08-checkout-errors.md")
    # The title's 2023-11-02 was copied from an older report and the file name is the day it
    # was published; every timeline row is on 5 or 6 March 2024.
    assert pm.incident_date == date(2024, 3, 5)
    assert pm.provenance["incident_date"] == (
        "timeline: the row at line 10; other dates written: 2023-11-02 (title); "
        "2024-03-08 (file name)"
    )


def test_timeline_days_without_a_year_and_a_title_among_them() -> None:
    pm = read_fixture("2025-01-03-new-year-queue-backlog.md")
    # '## December 31' and '## January 2' continue the timeline; the title's 2 January 2025 is
    # one of its days, so the title stands (the timeline began with the cause on 31 December,
    # which takes the year 2024: nearest to the document's other dates).
    assert pm.incident_date == date(2025, 1, 2)
    assert pm.provenance["incident_date"] == (
        "title (H1 heading (line 1)); other dates written: 2024-12-31 (timeline's first day); "
        "2025-01-03 (file name)"
    )
    assert "timeline" in pm.sections


@pytest.mark.parametrize(
    ("name", "text", "expected", "how"),
    [
        # A date stated as a field wins over every other date written.
        (
            "2024-05-10-x.md",
            "# 2024-05-01 Outage\n\nDate: 2024-05-02\n\n## Timeline\n- 2024-05-03 10:00 x\n",
            date(2024, 5, 2),
            "label 'Date' (line 3); other dates written: 2024-05-01 (title); 2024-05-03 "
            "(timeline's first day); 2024-05-10 (file name)",
        ),
        # No timeline days: the date two of title, summary and file name agree on.
        (
            "2024-05-09-x.md",
            "# 2024-02-01 Outage\n\n## Summary\n\nOn 2024-05-09 the API failed.\n",
            date(2024, 5, 9),
            "summary: first date written (line 5); other dates written: 2024-02-01 (title)",
        ),
        # Only the title and a later file name: the title.
        (
            "2024-05-09-x.md",
            "# 2024-05-07 Outage\n\n## Summary\n\nThe API failed.\n",
            date(2024, 5, 7),
            "title (H1 heading (line 1)); other dates written: 2024-05-09 (file name)",
        ),
        # One date, written once: nothing else to name.
        ("x.md", "# 2024-05-07 Outage\n", date(2024, 5, 7), "title (H1 heading (line 1))"),
        # A date later in a row is a reference, not the row's day.
        (
            "x.md",
            "# Outage\n\n## Timeline\n\n- 10:00 we read the 2019-01-01 runbook\n",
            None,
            "not stated",
        ),
    ],
)
def test_which_date_is_the_incident_date(
    name: str, text: str, expected: date | None, how: str
) -> None:
    pm = read(text, name)
    assert (pm.incident_date, pm.provenance["incident_date"]) == (expected, how)


def test_conflicting_dates_in_a_confluence_page() -> None:
    pm = read_confluence(
        "<h1>2023-11-02 Checkout errors</h1><h2>Timeline</h2>"
        "<ul><li>2024-03-05 14:09 first errors</li></ul>"
    )
    assert pm.incident_date == date(2024, 3, 5)
    assert "2023-11-02 (title)" in pm.provenance["incident_date"]


# -- 11. durations stated in a sentence ---------------------------------------------------


def test_durations_stated_in_sentences() -> None:
    pm = read_fixture("durations_in_sentences.md")
    # "went unnoticed for 3 hours\n20 minutes" (wrapped over two lines) = 200 minutes;
    # "recovered within 25 minutes" = 25. Not from the timeline's "restored in 4 minutes" (one
    # step), the impact's "4 seconds to load for 40 minutes" and "12 minutes to build" (not
    # about detection or recovery), "should have been detected within 5 minutes" (a wish),
    # nor the action item's "detected within 10 minutes".
    assert (pm.time_to_detect_minutes, pm.time_to_recover_minutes) == (200, 25)
    assert pm.provenance["time_to_detect_minutes"] == (
        "sentence: 'unnoticed for 3 hours 20 minutes' (line 5)"
    )
    assert pm.provenance["time_to_recover_minutes"] == (
        "sentence: 'recovered within 25 minutes' (line 7)"
    )


def test_a_labelled_line_wins_over_a_sentence() -> None:
    text = (READING / "durations_in_sentences.md").read_text(encoding="utf-8")
    pm = read(text.replace("## Impact", "Time to recovery: 1 hour 5 minutes\n\n## Impact"))
    assert (pm.time_to_recover_minutes, pm.provenance["time_to_recover_minutes"][:5]) == (
        65,
        "label",
    )
    assert pm.time_to_detect_minutes == 200, "the sentence still fills what no label states"


@pytest.mark.parametrize(
    ("sentence", "detect", "recover"),
    [
        ("The hub was rendered entirely inaccessible for ~1hr.", None, 60),
        ("It took us half an hour to notice the alert.", 30, None),
        ("We had a 45-minute outage.", None, 45),
        ("The outage lasted 2.5 hours.", None, 150),
        ("Service was restored in 1h 5m after the rollback.", None, 65),
        ("Nobody noticed for a while; we detected it after 40 minutes.", 40, None),
        # Numbers that are not about detection or recovery.
        ("Users' servers were taking >15min to start.", None, None),
        ("The process was CPU bound for 96s.", None, None),
        ("We made 15 nodes available for 30 users for 2 hours.", None, None),
        ("While the incident took a few hours to resolve, nobody lost work.", None, None),
        ("It was resolved after 3 attempts.", None, None),
        ("Next time we must recover within 10 minutes.", None, None),
    ],
)
def test_which_sentences_state_a_duration(
    sentence: str, detect: float | None, recover: float | None
) -> None:
    pm = read(f"# X\n\n## Summary\n\n{sentence}\n")
    assert (pm.time_to_detect_minutes, pm.time_to_recover_minutes) == (detect, recover)


def test_a_duration_sentence_in_a_confluence_page() -> None:
    pm = read_confluence("<h2>Summary</h2><p>The API recovered within 25 minutes.</p>")
    assert pm.time_to_recover_minutes == 25
    assert pm.provenance["time_to_recover_minutes"].startswith("sentence")
