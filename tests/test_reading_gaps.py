"""Reading gaps found in real post-mortems (issue 9, points 6-11), one fixture per pattern.

The rules live in loaders/reading and are shared by the Markdown, Notion and Confluence
sources, so each point is also checked on blocks that did not come from Markdown.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from loaders.config import Config
from loaders.model import PostMortem
from loaders.normalize import Normalizer
from loaders.reading.document import BlockReader, mark_unstated
from loaders.reading.extract import Rules
from loaders.reading.markdown import parse_markdown
from loaders.sources.confluence.storage import parse_storage

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
