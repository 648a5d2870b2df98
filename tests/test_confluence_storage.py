"""Storage-format XHTML -> neutral blocks: the constructs the page fixtures do not cover."""

from __future__ import annotations

import pytest

from loaders.reading.blocks import Heading, Item, ItemList, Paragraph, Table
from loaders.sources.confluence.storage import StorageError, parse_storage

NAMES = {"557058:b0b": "Bob Smith"}


def names(kind: str, value: str) -> str:
    return NAMES.get(value, value)


def test_html_entities_become_characters() -> None:
    page = parse_storage("<p>Before&nbsp;&mdash; after&hellip; &amp; &lt;done&gt;</p>")
    assert page.blocks == [Paragraph("Before — after… & <done>", [], 1)]


@pytest.mark.parametrize(
    ("xhtml", "where"),
    [
        ("<p>An &bogus; entity</p>", "line 1, column 14 (Entity 'bogus' not defined)"),
        ("<p>one</p>\n<p>two <b>bold</p>", "line 2, column 19 (Opening and ending tag mismatch: b line 2 and p)"),
        # A DOCTYPE cannot sneak in an external entity: it is not allowed inside the body.
        ('<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>', "line 1, column 2 (StartTag: invalid element name)"),
    ],
)  # fmt: skip
def test_not_well_formed_storage_says_where(xhtml: str, where: str) -> None:
    with pytest.raises(StorageError) as raised:
        parse_storage(xhtml)
    assert f"the storage XHTML is not well-formed at {where}" in str(raised.value)


def test_template_placeholders_and_macro_parameters_are_not_text() -> None:
    page = parse_storage(
        "<p>Owner: <ac:placeholder>Mention the owner</ac:placeholder></p>"
        '<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter>'
        "</ac:structured-macro>"
    )
    assert page.blocks == [Paragraph("Owner:", [], 1)]
    assert page.macros == {"toc"}


def test_mentions_read_as_display_names() -> None:
    page = parse_storage('<p>Incident commander: <ac:link><ri:user ri:account-id="557058:b0b" /></ac:link></p>', names)  # fmt: skip
    assert page.blocks == [Paragraph("Incident commander: Bob Smith", [], 1)]


def test_a_horizontal_properties_table() -> None:
    page = parse_storage(
        '<ac:structured-macro ac:name="details"><ac:rich-text-body><table><tbody>'
        "<tr><th>Date</th><th>Severity</th><th>Services</th></tr>"
        "<tr><td>2024-01-02</td><td>SEV4</td><td>api</td></tr>"
        "</tbody></table></ac:rich-text-body></ac:structured-macro>"
    )
    assert page.properties == [("Date", "2024-01-02", 1), ("Severity", "SEV4", 1), ("Services", "api", 1)]  # fmt: skip
    assert page.blocks == []


def test_a_properties_macro_written_inside_a_paragraph() -> None:
    page = parse_storage(
        '<p>Intro <ac:structured-macro ac:name="details"><ac:rich-text-body><table><tbody>'
        "<tr><td>Severity</td><td>SEV1</td></tr></tbody></table></ac:rich-text-body>"
        "</ac:structured-macro></p>"
    )
    assert page.properties == [("Severity", "SEV1", 1)]
    assert page.blocks == [Paragraph("Intro", [], 1)]


def test_a_table_nested_in_a_cell_stays_in_its_cell() -> None:
    page = parse_storage(
        "<table><tbody><tr><th>Action</th><th>Notes</th></tr>"
        "<tr><td>Rotate keys</td><td><table><tbody><tr><td>inner</td></tr></tbody></table></td></tr>"
        "</tbody></table>"
    )
    assert page.blocks == [Table(["Action", "Notes"], [["Rotate keys", "inner"]], [[]], 1)]


def test_code_macros_and_adf_fallbacks_are_read() -> None:
    page = parse_storage(
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[Severity: SEV2]]>'
        "</ac:plain-text-body></ac:structured-macro>"
        '<ac:adf-extension><ac:adf-node type="decision-list"><ac:adf-content>x</ac:adf-content>'
        "</ac:adf-node><ac:adf-fallback><h2>Decisions</h2></ac:adf-fallback></ac:adf-extension>"
    )
    assert page.blocks == [Paragraph("Severity: SEV2", [], 1), Heading(2, "Decisions", 1)]


def test_status_emoticons_are_kept_and_others_dropped() -> None:
    page = parse_storage(
        '<ul><li>Add retries <ac:emoticon ac:name="tick" /></li>'
        '<li>Page the DBA <ac:emoticon ac:name="smile" ac:emoji-fallback="🙂" /></li></ul>'
    )
    assert page.blocks == [ItemList([Item("Add retries ✅", line=1), Item("Page the DBA", line=1)], 1)]  # fmt: skip


def test_a_task_without_a_body_or_a_known_status() -> None:
    page = parse_storage(
        "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>"
        "</ac:task><ac:task><ac:task-status>weird</ac:task-status><ac:task-body>Check it</ac:task-body>"
        "</ac:task></ac:task-list>"
    )
    assert page.blocks == [ItemList([Item("", checked=True, line=1), Item("Check it", line=1)], 1)]
