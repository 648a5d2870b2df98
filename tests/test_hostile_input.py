"""Hostile and broken documents (SPEC §10): never a crash, a hang or unbounded memory; either a
loaded incident or one clear `load_errors` row naming the document, and the sync goes on.

Each bound here was checked to fail when its guard is removed (see the closing note of the
change that added them): the line limit, the action-item cap, the YAML alias bound, the
per-document time budget, the Notion cycle check and the response size limit.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from conftest import git_source, query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.config import Config
from loaders.normalize import Normalizer
from loaders.reading import limits
from loaders.reading.document import BlockReader
from loaders.reading.extract import Rules
from loaders.reading.markdown import DocumentError, NotAPostMortem, parse_markdown
from loaders.sources.confluence.storage import StorageError, parse_storage
from loaders.sync import sync

READER = BlockReader(Rules(Config()), Normalizer(Config()))
ITEMS = "# Outage\n\n## Action items\n\n"
BOMB_LEVELS = "abcdefghi"


def alias_bomb() -> str:
    """Billion laughs: nine levels of nine aliases, 9**9 values once expanded, 1 KB of YAML."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip(BOMB_LEVELS, BOMB_LEVELS[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\ntitle: [*i]\n---\n# Outage\n"


HOSTILE = {
    "deep-list.md": ITEMS + "".join("  " * i + "- fix it\n" for i in range(10_000)),
    "deep-quote.md": "# Outage\n\n" + ">" * 10_000 + " quoted\n",
    "deep-list-markers.md": "# Outage\n\n" + "- " * 10_000 + "x\n",
    "wide-table.md": ITEMS + "| Item | Owner |\n|---|---|\n"
    + "".join(f"| rotate key {i} | @ops |\n" for i in range(12_000)),
    "huge-table.md": ITEMS + "| Item | Owner |\n|---|---|\n"
    + "".join(f"| rotate key {i} | @ops |\n" for i in range(60_000)),
    "emphasis.md": "# Outage\n\n" + "*a **" * 20_000 + "\n",
    "brackets.md": "# Outage\n\n" + "[" * 50_000 + "\n",
    "links.md": "# Outage\n\n" + "[a](" * 20_000 + "\n",
    "nul.md": "# Outage\n\nbefore\x00after\n",
    "alias-bomb.md": alias_bomb(),
    "python-tag.md": "---\ntitle: !!python/object/apply:os.system ['true']\n---\n# Outage\n",
    "huge-scalar.md": "---\ntitle: " + "x" * 3_000_000 + "\n---\n# Outage\n",
}  # fmt: skip


def load_errors(db: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in query(db, "select document, message from load_errors order by all"):
        out.setdefault(row["document"], []).append(row["message"])
    return out


def test_every_hostile_document_is_loaded_or_is_one_clear_error(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tracemalloc slows parsing several times over, and a loaded CI machine more: this test is
    # about what each document becomes, so the time budget (tested below) must not decide it.
    monkeypatch.setattr(limits, "SECONDS_PER_DOCUMENT", 600.0)
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, text in HOSTILE.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "fine.md").write_text("# Disk full on db-1\n\n## Summary\nThe disk filled.\n")

    tracemalloc.start()
    [result] = sync(str(db), [git_source(folder)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    loaded = {r["source_id"] for r in query(db, "select source_id from incidents")}
    errors = load_errors(db)
    # Every document is accounted for exactly once: loaded, or one error row (never both).
    assert result.seen == len(HOSTILE) + 1
    assert loaded | set(errors) == {*HOSTILE, "fine.md"}
    assert all(len(messages) == 1 for name, messages in errors.items() if name not in loaded)
    assert "fine.md" in loaded
    # The rejections, each with what to fix. 4 lines of heading, 2 of table head, 60,000 rows.
    assert "60,006 lines, over the 20,000-line limit" in errors["huge-table.md"][0]
    assert "YAML aliases" in errors["alias-bomb.md"][0]
    assert "could not determine a constructor" in errors["python-tag.md"][0]
    assert "binary file" in errors["nul.md"][0]
    # 12,000 rows under the action items: the first 10,000 load, and a warning says so.
    count = query(
        db, "select count(*) as n from action_items where incident_id = 'docs:wide-table.md'"
    )
    assert count == [{"n": limits.MAX_ACTION_ITEMS}]
    assert "12,000 action items, over the limit of 10,000" in errors["wide-table.md"][0]
    # A 3 MB title is text like any other: stored, not a crash.
    assert "huge-scalar.md" in loaded
    # Memory stays bounded by the line limit rather than growing with the worst file: the
    # 12,000-row table is the largest thing parsed (measured peak about 120 MB).
    assert peak < 400 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def test_a_document_over_the_time_budget_is_one_error_and_the_sync_goes_on(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "slow.md").write_text(HOSTILE["links.md"])
    (folder / "fine.md").write_text("# Disk full on db-1\n\n## Summary\nThe disk filled.\n")
    # A budget the 20,000-bracket document cannot meet, so the timer must interrupt the parser.
    monkeypatch.setattr(limits, "SECONDS_PER_DOCUMENT", 0.05)
    [result] = sync(str(db), [git_source(folder)])
    assert (result.loaded, result.failed) == (1, 1)
    [message] = load_errors(db)["slow.md"]
    assert message.startswith("reading it took more than 0.05 s; simplify the document")


def test_the_time_budget_interrupts_a_parser_stuck_in_one_call() -> None:
    started = time.monotonic()
    with pytest.raises(limits.OverBudget), limits.time_budget(0.05):
        while True:  # stands for a parser that never returns
            pass
    assert time.monotonic() - started < 5
    # The timer is disarmed afterwards: nothing fires later.
    time.sleep(0.1)


MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("#*_-+>|[]()!`~:\\ \n\t\r1aZ@&<>/=\"'") + ["\x00", "é", "✅"]),
    max_size=400,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), MARKDOWNISH))
def test_any_text_is_a_post_mortem_or_one_clear_error(text: str) -> None:
    # The budget turns a hang into a failure of this test (OverBudget is not caught here).
    with limits.time_budget(5):
        try:
            pm = parse_markdown(text, source_name="s", source_id="doc.md", reader=READER)
        except (DocumentError, NotAPostMortem) as e:
            assert str(e).strip()
            return
    assert pm.source_id == "doc.md"
    assert len(pm.action_items) <= limits.MAX_ACTION_ITEMS


PANICS_THE_PARSER = (
    "# Deploy [`v2 broke checkout\n\nThe canary [`stage` step was skipped.\n\n"
    "## Action items\n- Add a check for `[` in configs\n- Alert on [`skipped` stages\n"
)


def test_a_document_the_markdown_parser_panics_on_is_read_with_its_backticks() -> None:
    # markdown-it-pyrs 0.4.0 panics on a `[` before a backtick that opens no code span (found
    # by the property test above); the document is read again with its backticks escaped.
    from markdown_it_pyrs import MarkdownIt

    with pytest.raises(BaseException, match="index out of bounds"):
        MarkdownIt("commonmark").tree(PANICS_THE_PARSER)
    pm = parse_markdown(PANICS_THE_PARSER, source_name="s", source_id="doc.md", reader=READER)
    assert pm.title == "Deploy [`v2 broke checkout", "the H1, backticks as written"
    assert pm.provenance["title"] == "H1 heading (line 1)"
    # The list under 'Action items' is its items; the code span in the first keeps its text.
    assert [a.title for a in pm.action_items] == [
        "Add a check for `[` in configs",
        "Alert on [`skipped` stages",
    ]
    assert [a.line for a in pm.action_items] == [6, 7], "lines of the text as written"


# -- remote content -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        # Entity definitions would expand ("billion laughs") or read local files (XXE): storage
        # XHTML cannot declare a DOCTYPE, so both are refused as not well-formed.
        (
            '<!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><p>&b;</p>',
            "not well-formed",
        ),
        ('<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>', "not well-formed"),
        ("<p>&xxe;</p>", "not well-formed"),
        ("<div>" * 10_000 + "deep" + "</div>" * 10_000, "not well-formed"),
    ],
)
def test_hostile_confluence_storage_is_refused(body: str, problem: str) -> None:
    with pytest.raises(StorageError, match=problem) as caught:
        parse_storage(body)
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd


def notion_page_with_a_cycle(fake: Any) -> str:
    """The checkout outage page, with its nested list item listing itself as its child."""
    from fakes.notion_server import fixture

    page = fixture("page_checkout_outage")["id"]
    body = fixture("body_checkout_outage")
    [parent] = [b for b in body[page] if b.get("has_children")]
    fake.workspace.children[parent["id"].replace("-", "")] = [parent]
    return str(page)


def test_a_notion_block_that_contains_itself_fails_its_page_alone(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakes.notion_server import FakeNotion, add_postmortems_workspace
    from test_notion_faults import DB, FAST, TOKEN, TOKEN_ENV

    from loaders.config import SourceConfig
    from loaders.sources.notion.source import NotionSource

    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    fake = FakeNotion(TOKEN).start()
    try:
        add_postmortems_workspace(fake)
        page = notion_page_with_a_cycle(fake)
        options = {"database_id": DB, "token_env": TOKEN_ENV, "api_url": fake.url}
        source = NotionSource.from_config(SourceConfig("notion", "notion", options), Config(), FAST)
        [result] = sync(str(db), [source])
    finally:
        fake.stop()
    # The fake workspace's 7 pages: 1 template skipped, 1 malformed page failing as in every sync
    # of it (tests/test_notion_loader.py), and now the cyclic page; the other 4 load.
    assert (result.status, result.loaded, result.skipped, result.failed) == ("partial", 4, 1, 2)
    [message] = load_errors(db)[page]
    assert "appears twice in the page's tree (it contains itself)" in message


def test_a_notion_response_over_the_size_limit_is_refused(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakes.notion_server import FakeNotion, add_postmortems_workspace
    from test_notion_faults import DB, FAST, TOKEN, TOKEN_ENV

    from loaders.config import SourceConfig
    from loaders.sources import responses
    from loaders.sources.notion.source import NotionSource

    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    # Smaller than the database listing the fake answers first: the source stops there.
    monkeypatch.setattr(responses, "MAX_RESPONSE_BYTES", 2_000)
    fake = FakeNotion(TOKEN).start()
    try:
        add_postmortems_workspace(fake)
        options = {"database_id": DB, "token_env": TOKEN_ENV, "api_url": fake.url}
        source = NotionSource.from_config(SourceConfig("notion", "notion", options), Config(), FAST)
        [result] = sync(str(db), [source])
    finally:
        fake.stop()
    assert result.status == "failed"
    assert result.message.startswith("A response was too large: the answer to http://127.0.0.1:")
    assert query(db, "select count(*) as n from incidents") == [{"n": 0}]


def test_a_confluence_response_over_the_size_limit_is_refused(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakes.confluence_server import FakeConfluence, load_space
    from test_confluence_faults import FAST
    from test_confluence_faults import settings as confluence_settings

    from loaders.config import SourceConfig
    from loaders.sources import responses
    from loaders.sources.confluence.source import ConfluenceSource

    monkeypatch.setenv("CONFLUENCE_USER", "jane@example.com")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "secret-api-token-123")
    monkeypatch.setattr(responses, "MAX_RESPONSE_BYTES", 2_000)
    pages, users = load_space()
    with FakeConfluence(pages, users) as fake:
        config = SourceConfig("confluence-eng", "confluence", confluence_settings(fake))
        [result] = sync(str(db), [ConfluenceSource.from_config(config, Config(), limits=FAST)])
    assert result.status == "failed"
    assert result.message.startswith("A response was too large: the answer to http://127.0.0.1:")
    assert "secret-api-token-123" not in result.message
