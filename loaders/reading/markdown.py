"""One Markdown post-mortem -> PostMortem: YAML front matter first, then the body.

The body is parsed with markdown-it (CommonMark plus tables and strike-through) into the
neutral blocks of `loaders.reading.document`, so nesting, tables and struck-through items come from
a real parser rather than line regexes. Front matter is read with PyYAML's C loader.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

import yaml
from markdown_it_pyrs import MarkdownIt, Node

from loaders.model import ActionItem, PostMortem
from loaders.normalize import owner_name
from loaders.reading.blocks import Block, Heading, Item, ItemList, Paragraph, Table
from loaders.reading.dates import ImpossibleDate, parse_date, parse_datetime
from loaders.reading.document import BlockReader, mark_unstated
from loaders.reading.extract import find_ticket, parse_action_text, status_from_word, status_marker
from loaders.reading.limits import MAX_FRONT_MATTER_VALUES, MAX_LINES, expanded_size

FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(?P<yaml>.*?)(?:\r?\n)?^(?:---|\.\.\.)[ \t]*$\r?\n?",
    re.DOTALL | re.MULTILINE,
)
FRONT_MATTER_FIELDS = {
    "title": "title", "date": "incident_date", "incident_date": "incident_date",
    "started_at": "started_at", "started": "started_at", "detected_at": "detected_at",
    "detected": "detected_at", "resolved_at": "resolved_at", "resolved": "resolved_at",
    "published_at": "published_at", "published": "published_at", "severity": "severity",
    "services": "services", "service": "services", "categories": "categories",
    "category": "categories", "tags": "tags", "status": "status", "kind": "kind",
    "time_to_detect": "time_to_detect_minutes", "time_to_detect_minutes": "time_to_detect_minutes",
    "time_to_recover": "time_to_recover_minutes", "time_to_recover_minutes": "time_to_recover_minutes",
}  # fmt: skip
# Placeholder text left in a copied template: `<Short description of what happened>`.
PLACEHOLDER = re.compile(r"<(?!https?:|mailto:|/)[A-Z][^<>\n]*\s[^<>\n]*>|\{\{[^}]+\}\}")
PLACEHOLDERS_FOR_TEMPLATE = 2

# markdown-it-pyrs: markdown-it's CommonMark rules and node tree, in Rust. It reads a
# post-mortem about 13x faster than markdown-it-py (0.27 vs 3.6 ms for a 4 KB document),
# which was most of the time a sync spent on a document.
_markdown = MarkdownIt("commonmark").enable("table").enable("strikethrough")
_NEWLINE = re.compile(b"\n")
_FENCE = re.compile(r" {0,3}(?:```|~~~)")
# Block nodes that can sit in a list item beside its text.
_BLOCKS = frozenset({"paragraph", "bullet_list", "ordered_list", "blockquote", "code_block",
                     "fence", "html_block", "heading", "lheading", "hr", "table"})  # fmt: skip


class _FrontMatterLoader(yaml.CSafeLoader):
    """The safe C loader, with dates kept as text so `2025-02-30` is reported, not a crash."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


class DocumentError(Exception):
    """The document cannot be read; the message says what is wrong and how to fix it."""


class NotAPostMortem(Exception):
    """A template, README or index: skipped with a warning."""


def parse_markdown(
    text: str, *, source_name: str, source_id: str, reader: BlockReader
) -> PostMortem:
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > MAX_LINES:
        raise DocumentError(
            f"{lines:,} lines, over the {MAX_LINES:,}-line limit for one post-mortem; "
            "split it, or move generated data (logs, long tables) out of the document"
        )
    pm = PostMortem(source_name=source_name, source_kind="git", source_id=source_id)
    body, body_line, meta = split_front_matter(text)
    placeholders = PLACEHOLDER.findall(body)
    if not meta and len(placeholders) >= PLACEHOLDERS_FOR_TEMPLATE:
        raise NotAPostMortem(
            f"looks like a template (it still has placeholder text such as {placeholders[0]!r}); "
            "not loaded as a post-mortem"
        )
    items_stated = _read_front_matter(pm, meta, reader)
    blocks = markdown_blocks(body, body_line)
    if not meta and not any(
        isinstance(b, Heading | ItemList | Table) or b.text.strip() for b in blocks
    ):
        raise DocumentError("the file has no content; write the post-mortem or delete the file")
    reader.read_blocks(pm, blocks, items_stated=items_stated)
    _from_file_name(pm, source_id, reader)
    mark_unstated(pm)
    return pm


def split_front_matter(text: str) -> tuple[str, int, dict[str, Any]]:
    """(body, line number where the body starts, front matter as a mapping)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return text.removeprefix("\ufeff"), 1, {}
    try:
        meta = yaml.load(match["yaml"], Loader=_FrontMatterLoader)  # a safe loader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at_line = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        context, start = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and start:
            # "while scanning a quoted scalar" at the line where the bad value begins.
            problem += f" ({context} that starts at line {start.line + 2})"
        raise DocumentError(
            f"invalid YAML front matter{at_line}: {problem}; fix the YAML between the --- lines"
        ) from e
    if meta is None:
        meta = {}
    if expanded_size(meta) > MAX_FRONT_MATTER_VALUES:
        raise DocumentError(
            f"front matter holds more than {MAX_FRONT_MATTER_VALUES:,} values once its YAML "
            "aliases (*name) are expanded; write the values out instead of repeating anchors"
        )
    if not isinstance(meta, dict):
        raise DocumentError(
            f"front matter is a {type(meta).__name__}, not a mapping of keys to values; "
            "write it as `key: value` lines (title:, date:, severity: …)"
        )
    body_line = text[: match.end()].count("\n") + 1
    return text[match.end() :], body_line, meta


def _read_front_matter(pm: PostMortem, meta: dict[str, Any], reader: BlockReader) -> bool:
    for key, value in meta.items():
        name = FRONT_MATTER_FIELDS.get(str(key).lower())
        if name:
            reader.apply(pm, name, value, f"front matter '{key}'")
    items = meta.get("action_items")
    if items is None:
        return False
    if not isinstance(items, list):
        pm.warnings.append(
            "front matter 'action_items' is not a list; read the items from the body instead"
        )
        return False
    for entry in items:
        item = _front_matter_item(entry, len(pm.action_items) + 1, pm)
        if item:
            pm.action_items.append(item)
    return True


def _front_matter_item(entry: object, position: int, pm: PostMortem) -> ActionItem | None:
    if isinstance(entry, str):
        return parse_action_text(entry, position)
    if not isinstance(entry, dict) or not str(entry.get("title") or "").strip():
        pm.warnings.append(f"front matter action item {position} has no title; it was left out")
        return None
    title = str(entry["title"]).strip()
    item = ActionItem(position=position, title=title)
    status = entry.get("status")
    if status is not None and str(status).strip():
        item.status = status_from_word(str(status)) or "unknown"
        item.status_raw, item.status_basis = str(status), "field"
    elif marker := status_marker(title):
        item.status, item.status_basis, item.status_raw = marker
    item.owner = owner_name(entry.get("owner"))
    try:
        item.due_date = parse_date(entry.get("due") or entry.get("due_date"))
        closed = entry.get("closed") or entry.get("closed_at")
        item.closed_at = parse_datetime(closed) or _midnight(parse_date(closed))
        created = entry.get("created") or entry.get("created_at")
        item.created_at = parse_datetime(created) or _midnight(parse_date(created))
    except ImpossibleDate as e:
        pm.warnings.append(f"action item {position} ({title!r}): {e}; that date was left empty")
    ticket = entry.get("ticket")
    if ticket:
        found = find_ticket(str(ticket))
        item.ticket = found.key if found else str(ticket).strip()
        item.ticket_url = entry.get("ticket_url") or (found.url if found else None)
    return item


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day)


def _from_file_name(pm: PostMortem, source_id: str, reader: BlockReader) -> None:
    stem = PurePosixPath(source_id).stem
    reader.date_in_text(pm, stem, "file name")  # a candidate even when others are written
    if pm.title is None:
        name = re.sub(r"^\s*(?:\d{4}[-_.]\d{2}[-_.]\d{2}|\d+)[-_ .]*", "", stem)
        name = re.sub(r"[-_]+", " ", name).strip() or stem
        reader.apply(pm, "title", name[:1].upper() + name[1:], "file name")


# -- Markdown -> blocks ---------------------------------------------------------------------


def markdown_blocks(body: str, first_line: int = 1) -> list[Block]:
    root, parsed = _tree(body)
    # Nodes locate themselves by UTF-8 byte offsets; blocks carry line numbers.
    newlines = [m.start() for m in _NEWLINE.finditer(parsed.encode("utf-8"))]
    blocks: list[Block] = []
    _collect(root.children, blocks, _Lines(newlines, first_line))
    return blocks


def _tree(body: str) -> tuple[Node, str]:
    """The document's node tree, and the text it was parsed from. markdown-it-pyrs 0.4.0 panics on a `[` followed by a
    backtick that opens no code span (`[`x`, `a [` b`): such a document is read again with
    its backticks outside code fences written as the entity `&#96;`, which reads as the
    same character and opens nothing, so its text is kept as written."""
    try:
        return _markdown.tree(body), body
    except BaseException as e:  # a Rust panic is a BaseException (pyo3's PanicException)
        if type(e).__name__ != "PanicException":
            raise
    escaped = "".join(
        line if _FENCE.match(line) else line.replace("`", "&#96;")
        for line in body.splitlines(keepends=True)
    )
    try:
        return _markdown.tree(escaped), escaped
    except BaseException as e:
        if type(e).__name__ != "PanicException":
            raise
        raise DocumentError(
            f"the Markdown parser failed on this document ({e}); look for an unclosed `[` "
            "or backtick and close it"
        ) from None


@dataclass(frozen=True, slots=True)
class _Lines:
    newlines: list[int]  # byte offsets of the body's line ends
    first_line: int  # the body's first line in the file

    def of(self, node: Node) -> int | None:
        return (
            bisect_right(self.newlines, node.srcmap[0]) + self.first_line if node.srcmap else None
        )


def _collect(nodes: Sequence[Node], blocks: list[Block], lines: _Lines) -> None:
    for node in nodes:
        if node.name in ("heading", "lheading"):
            text, links, _ = _inline(node.children)
            blocks.append(Heading(int(node.meta["level"]), text, lines.of(node), links))
        elif node.name == "paragraph":
            text, links, _ = _inline(node.children)
            blocks.append(Paragraph(text, links, lines.of(node)))
        elif node.name in ("bullet_list", "ordered_list"):
            start = int(node.meta.get("start", 1)) if node.name == "ordered_list" else None
            items = [_item(li, lines) for li in node.children]
            blocks.append(ItemList(items, lines.of(node), start))
        elif node.name == "table":
            blocks.append(_table(node, lines.of(node)))
        elif node.name == "blockquote":
            _collect(node.children, blocks, lines)


def _item(node: Node, lines: _Lines) -> Item:
    # A tight list's item holds its inline nodes directly; a loose one's, in paragraphs.
    # Each paragraph, and each run of inline nodes between blocks, is one text of the item.
    runs: list[Sequence[Node]] = []
    inline: list[Node] = []
    children: list[Item] = []
    for child in node.children:
        if child.name not in _BLOCKS:
            inline.append(child)
            continue
        if inline:
            runs.append(inline)
            inline = []
        if child.name == "paragraph":
            runs.append(child.children)
        elif child.name in ("bullet_list", "ordered_list"):
            children += [_item(li, lines) for li in child.children]
    if inline:
        runs.append(inline)
    read = [_inline(run) for run in runs]
    texts = [text for text, _, _ in read]
    links = [link for _, found, _ in read for link in found]
    struck = bool(texts) and all(whole_struck for _, _, whole_struck in read)
    return Item("\n".join(texts), links, children, struck=struck, line=lines.of(node))


def _table(node: Node, line: int | None) -> Table:
    header: list[str] = []
    rows: list[list[str]] = []
    links: list[list[str]] = []
    for section in node.children:
        for row in section.children:
            cells, row_links = [], []
            for cell in row.children:
                text, found, _ = _inline(cell.children)
                cells.append(text)
                row_links += found
            if section.name == "thead":
                header = cells
            else:
                rows.append(cells)
                links.append(row_links)
    return Table(header, rows, links, line)


def _inline(nodes: Sequence[Node]) -> tuple[str, list[str], bool]:
    """(plain text, link targets, whether all of the text is struck through)."""
    parts: list[str] = []
    links: list[str] = []
    struck_chars = plain_chars = 0

    def walk(n: Node, struck: bool) -> None:
        nonlocal struck_chars, plain_chars
        if n.name in ("text", "text_special", "html_inline"):
            content = str(n.meta.get("content", ""))
            parts.append(content)
            size = len(content.strip())
            if struck:
                struck_chars += size
            else:
                plain_chars += size
        elif n.name in ("softbreak", "hardbreak"):
            parts.append("\n")
        if n.name in ("link", "autolink") and n.meta.get("url"):
            links.append(str(n.meta["url"]))
        for child in n.children:
            walk(child, struck or n.name == "strikethrough")

    for node in nodes:
        walk(node, False)
    return "".join(parts), links, struck_chars > 0 and plain_chars == 0
