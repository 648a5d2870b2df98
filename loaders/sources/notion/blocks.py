"""Notion page bodies -> the neutral blocks of `loaders.reading.document`, read by the shared rules.

Headings, paragraphs, bulleted / numbered items, `to_do` (with `checked`) and tables become
Heading, Paragraph, ItemList and Table; quotes, callouts and toggles read as paragraphs followed
by their children; columns and synced blocks are read through. Nested list items stay children
of their parent item, as in Markdown. A user mention in an item is its owner and a date mention
its due date: structured values that beat guessing from the text. Any other block type (images,
code, child pages, inline databases, …) is ignored, and its children are never fetched.

Notion has no line numbers, so a block's `line` is its position in reading order (1 = the first
block): provenance such as "label 'Severity' (line 4)" points at the fourth block of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from loaders.reading.blocks import Block, Heading, Item, ItemList, Paragraph, Table
from loaders.reading.dates import ImpossibleDate, parse_date
from loaders.sources.notion.properties import PageError, plain_text

HEADINGS = {"heading_1": 1, "heading_2": 2, "heading_3": 3, "heading_4": 4}
LIST_TYPES = ("bulleted_list_item", "numbered_list_item", "to_do")
TEXT_TYPES = ("paragraph", "quote", "callout", "toggle")
PASS_THROUGH = ("column_list", "column", "synced_block")
# Block types whose children are fetched: everything read above, nothing else.
READ_CHILDREN = frozenset((*HEADINGS, *LIST_TYPES, *TEXT_TYPES, *PASS_THROUGH, "table"))
MAX_DEPTH = 12  # deeper nesting is not post-mortem writing; it also bounds a runaway tree

Children = Callable[[str], list[dict[str, Any]]]


MAX_BLOCKS = 20_000  # a page body larger than this is generated data, not a post-mortem


def fetch_tree(block_id: str, children: Children) -> list[dict[str, Any]]:
    """The blocks under `block_id`; each read block with children gets them as `_children`.

    A block is read once: a tree that leads back to a block already read (a corrupt or hostile
    response) is an error, as is a body over MAX_BLOCKS blocks."""
    seen = {block_id}

    def read(parent: str, depth: int) -> list[dict[str, Any]]:
        blocks = children(parent)
        for block in blocks:
            if not isinstance(block, dict):
                raise PageError(f"block list under {parent} holds a {type(block).__name__}")
            child_id = str(block.get("id"))
            if "id" in block and child_id in seen:
                raise PageError(
                    f"block {child_id} appears twice in the page's tree (it contains itself); "
                    "duplicate the page in Notion to repair it"
                )
            seen.add(child_id)
            if len(seen) > MAX_BLOCKS:
                raise PageError(
                    f"the page has more than {MAX_BLOCKS:,} blocks; move generated data "
                    "(logs, long tables) out of the post-mortem"
                )
            if (
                block.get("has_children")
                and block.get("type") in READ_CHILDREN
                and depth < MAX_DEPTH
            ):
                block["_children"] = read(child_id, depth + 1)
        return blocks

    return read(block_id, 0)


def to_blocks(tree: list[dict[str, Any]]) -> list[Block]:
    converter = _Converter()
    converter.read(tree)
    return converter.out


class _Converter:
    def __init__(self) -> None:
        self.out: list[Block] = []
        self.line = 0

    def read(self, tree: list[dict[str, Any]]) -> None:
        current: ItemList | None = None  # consecutive list blocks form one list
        for block in tree:
            kind = str(block.get("type"))
            self.line += 1
            if kind in LIST_TYPES:
                item = self._item(block)
                numbered = kind == "numbered_list_item"
                # Numbered items and bullets are separate lists, as in Markdown, so bullets
                # written after a number can be read as its details (`are_details`).
                if current is None or (current.start is not None) != numbered:
                    current = ItemList([], item.line, 1 if numbered else None)
                    self.out.append(current)
                current.items.append(item)
                continue
            current = None
            payload = _payload(block)
            children = block.get("_children", [])
            if kind in HEADINGS:
                text, links = _text(payload, kind)
                self.out.append(Heading(HEADINGS[kind], text, self.line, links))
                self.read(children)  # a toggleable heading holds its section
            elif kind in TEXT_TYPES:
                text, links = _text(payload, kind)
                if text.strip():
                    self.out.append(Paragraph(text, links, self.line))
                self.read(children)
            elif kind in PASS_THROUGH:
                self.read(children)
            elif kind == "table":
                self.out.append(_table(payload, children, self.line))

    def _item(self, block: dict[str, Any]) -> Item:
        kind = str(block.get("type"))
        payload = _payload(block)
        rich = payload.get("rich_text")
        text = plain_text(rich, kind)
        assert isinstance(rich, list)  # plain_text checked it
        item = Item(text, _links(rich), line=self.line, struck=_struck(rich))
        item.owner, item.due = _mentions(rich)
        if kind == "to_do":
            checked = payload.get("checked")
            if not isinstance(checked, bool):
                raise PageError(f"to_do block {block.get('id')} has no `checked` value")
            item.checked = checked
        lines = [text]
        for child in block.get("_children", []):
            self.line += 1
            child_kind = str(child.get("type"))
            if child_kind in LIST_TYPES:
                item.children.append(self._item(child))
            elif child_kind in TEXT_TYPES:
                # A paragraph under an item continues the item, as in a Markdown list.
                more, links = _text(_payload(child), child_kind)
                lines.append(more)
                item.links += links
        item.text = "\n".join(line for line in lines if line)
        return item


def _payload(block: dict[str, Any]) -> dict[str, Any]:
    payload = block.get(str(block.get("type")))
    if not isinstance(payload, dict):
        raise PageError(f"block {block.get('id')} ({block.get('type')}) has no content object")
    return payload


def _text(payload: dict[str, Any], kind: str) -> tuple[str, list[str]]:
    rich = payload.get("rich_text", [])
    return plain_text(rich, f"a {kind} block"), _links(rich)


def _links(rich: list[dict[str, Any]]) -> list[str]:
    links = []
    for piece in rich:
        text = piece.get("text")
        link = text.get("link") if isinstance(text, dict) else None
        url = piece.get("href") or (link.get("url") if isinstance(link, dict) else None)
        if isinstance(url, str) and url not in links:
            links.append(url)
    return links


def _struck(rich: list[dict[str, Any]]) -> bool:
    """Whether all of the written text is struck through (`~~done~~`)."""
    pieces = [p for p in rich if str(p.get("plain_text") or "").strip()]
    return bool(pieces) and all(
        isinstance(p.get("annotations"), dict) and p["annotations"].get("strikethrough")
        for p in pieces
    )


def _mentions(rich: list[dict[str, Any]]) -> tuple[str | None, date | None]:
    """(the first mentioned person's name, the first mentioned date)."""
    owner: str | None = None
    due: date | None = None
    for piece in rich:
        mention = piece.get("mention") if piece.get("type") == "mention" else None
        if not isinstance(mention, dict):
            continue
        if mention.get("type") == "user" and owner is None:
            user = mention.get("user")
            name = user.get("name") if isinstance(user, dict) else None
            owner = name or str(piece.get("plain_text") or "").lstrip("@") or None
        elif mention.get("type") == "date" and due is None:
            when = mention.get("date")
            try:
                due = parse_date(when.get("start")) if isinstance(when, dict) else None
            except ImpossibleDate:
                due = None
    return owner, due


def _table(payload: dict[str, Any], rows: list[dict[str, Any]], line: int) -> Table:
    cells: list[list[str]] = []
    links: list[list[str]] = []
    for row in rows:
        if row.get("type") != "table_row":
            continue
        raw = _payload(row).get("cells")
        if not isinstance(raw, list):
            raise PageError(f"table row {row.get('id')} has no cells")
        cells.append([plain_text(cell, "a table cell") for cell in raw])
        links.append([link for cell in raw for link in _links(cell)])
    if payload.get("has_column_header") and cells:
        return Table(cells[0], cells[1:], links[1:], line)
    # Without a header row every row is content; blank column names keep all rows as rows.
    width = max((len(row) for row in cells), default=0)
    return Table([""] * width, cells, links, line)
