"""Confluence storage-format XHTML -> the neutral blocks of `loaders.reading.document`.

Storage format is XML with undeclared `ac:` / `ri:` prefixes and HTML named entities. It is
parsed with lxml's strict XML parser inside a root element that declares those prefixes, with
named entities turned into character references first: a page that is not well-formed raises
`StorageError` (one `load_errors` row) instead of being guessed at by a lenient HTML parser.
Entities are never resolved and nothing is fetched from the network (no XXE).

Confluence's own structures become structured values rather than text to re-parse: a task's
`complete`/`incomplete` status, its assignee mention and its `<time datetime>` due date; the
Page Properties (`details`) macro's key/value rows. Layouts and container macros (panel, info,
expand…) are read through; an expand's or panel's title reads like a heading line, so an
expand titled "Follow-ups" holds the action items as a heading would.
"""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass, field

from lxml import etree

from loaders.reading.blocks import Block, Heading, Item, ItemList, Paragraph, Table
from loaders.sources.confluence.inline import (
    NAMESPACES,
    SKIPPED,
    Inline,
    InlineReader,
    UserNames,
    child,
    macro_name,
    name_of,
    parameter,
    tidy,
    time_date,
    user_ref,
)

_ROOT_OPEN = "<ac:storage " + " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES.items()) + ">"
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)

HEADINGS = {f"h{n}": n for n in range(1, 7)}
BLOCKS = {"p", "pre", "ul", "ol", "table", "ac:task-list", "ac:adf-extension"}
# Elements and macros whose content is read as if it stood in the page itself.
CONTAINERS = {
    "div", "section", "article", "blockquote", "center", "main",
    "ac:layout", "ac:layout-section", "ac:layout-cell", "ac:rich-text-body", "ac:adf-fallback",
}  # fmt: skip
CONTAINER_MACROS = {
    "panel", "info", "note", "tip", "warning", "expand", "ui-expand", "section", "column",
    "excerpt", "div", "center", "ui-tab", "ui-tabs",
}  # fmt: skip
TITLED_MACROS = {"panel", "expand", "ui-expand"}
TEXT_MACROS = {"code", "noformat"}
INLINE_MACROS = {"jira", "status"}

Row = tuple[list[str], list[str], bool, int | None]  # cell texts, links, all `th`, line


class StorageError(ValueError):
    """The page body is not well-formed storage XHTML; the message says where."""


@dataclass(slots=True)
class StoragePage:
    blocks: list[Block] = field(default_factory=list)
    # (key, value, line) rows of Page Properties (`details`) macros, in page order.
    properties: list[tuple[str, str, int | None]] = field(default_factory=list)
    # Macros by name, for telling a post-mortem from an index page (`detailssummary`).
    macros: set[str] = field(default_factory=set)


def parse_storage(xhtml: str, user_name: UserNames | None = None) -> StoragePage:
    """Parse one page body. Raises StorageError when it is not well-formed."""
    text = _ENTITY.sub(_numeric_entity, xhtml)
    try:
        root = etree.fromstring(f"{_ROOT_OPEN}{text}</ac:storage>".encode(), _PARSER)
    except etree.XMLSyntaxError as e:
        line, column = e.position
        if line == 1:
            column -= len(_ROOT_OPEN)  # the wrapping root element shares the first line
        problem = re.sub(r",? line \d+, column \d+$", "", str(e.msg)).strip()
        raise StorageError(
            f"the storage XHTML is not well-formed at line {line}, column {column} "
            f"({problem}); open the page in Confluence and publish it again to repair it"
        ) from e
    reader = _BlockReader(user_name or (lambda kind, value: value))
    reader.blocks(root, reader.page.blocks)
    reader.page.macros = reader.macros
    return reader.page


def _numeric_entity(match: re.Match[str]) -> str:
    """`&nbsp;` -> `&#160;`: XML knows only five named entities; unknown ones stay (an error)."""
    name = match[1]
    if name in _XML_ENTITIES:
        return match[0]
    chars = html.entities.html5.get(f"{name};")
    return "".join(f"&#{ord(c)};" for c in chars) if chars else match[0]


class _BlockReader(InlineReader):
    def __init__(self, user_name: UserNames) -> None:
        super().__init__(user_name)
        self.page = StoragePage()

    def blocks(self, el: etree._Element, out: list[Block]) -> None:
        """The block content of `el`; loose inline content between blocks becomes paragraphs."""
        loose, line = Inline(), None

        def flush() -> None:
            nonlocal loose, line
            if loose.text():
                out.append(Paragraph(loose.text(), loose.links, line))
            loose, line = Inline(), None

        def add(text: str | None, at: int | None) -> None:
            nonlocal line
            if text and text.strip() and line is None:
                line = at
            loose.add(text)

        add(el.text, el.sourceline)
        for node in el:
            if _is_block(node):
                flush()
                self.block(node, out)
            else:
                line = node.sourceline if line is None else line
                self.inline(node, loose, False)
            add(node.tail, node.sourceline)
        flush()

    def block(self, el: etree._Element, out: list[Block]) -> None:
        name, line = name_of(el), el.sourceline
        if name in HEADINGS:
            inline = self.inline_of(el)
            out.append(
                Heading(HEADINGS[name], inline.text().replace("\n", " "), line, inline.links)
            )
        elif name in ("p", "pre") and any(_is_block(node) for node in el):
            self.blocks(el, out)  # a macro or table written inside a paragraph
        elif name in ("p", "pre"):
            inline = self.inline_of(el)
            if inline.text() or inline.links:
                out.append(Paragraph(inline.text(), inline.links, line))
        elif name in ("ul", "ol"):
            items = [self.item(li) for li in el if name_of(li) == "li"]
            start = str(el.get("start") or "1")
            number = int(start) if start.isdigit() else 1
            out.append(ItemList(items, line, number if name == "ol" else None))
        elif name == "ac:task-list":
            out.append(ItemList(self.tasks(el), line))
        elif name == "table":
            rows = self.rows(el)
            if rows:  # as in Markdown, the first row names the columns
                out.append(Table(rows[0][0], [r[0] for r in rows[1:]], [r[1] for r in rows[1:]], line))  # fmt: skip
        elif name in ("ac:structured-macro", "ac:macro"):
            self.macro_block(el, out)
        elif name == "ac:adf-extension":
            fallback = next((n for n in el.iter() if name_of(n) == "ac:adf-fallback"), None)
            if fallback is not None:
                self.blocks(fallback, out)
        elif name in CONTAINERS:
            self.blocks(el, out)

    def macro_block(self, el: etree._Element, out: list[Block]) -> None:
        name = macro_name(el)
        self.macros.add(name)
        body = child(el, "ac:rich-text-body")
        if name == "details" and body is not None:
            for table in body.iter():
                if name_of(table) == "table":
                    self.properties(self.rows(table))
        elif name in CONTAINER_MACROS and body is not None:
            title = parameter(el, "title")
            if title and name in TITLED_MACROS:
                out.append(Paragraph(title, [], el.sourceline))
            self.blocks(body, out)
        elif name in TEXT_MACROS:
            plain = child(el, "ac:plain-text-body")
            text = tidy("".join(plain.itertext())) if plain is not None else ""
            if text:
                out.append(Paragraph(text, [], el.sourceline))

    def properties(self, rows: list[Row]) -> None:
        if len(rows) == 2 and len(rows[0][0]) > 2 and rows[0][2]:
            # A horizontal properties table: keys in a header row, values in the row below.
            keys, values, line = rows[0][0], rows[1][0], rows[0][3]
            self.page.properties += [(k, v, line) for k, v in zip(keys, values, strict=False) if k]
            return
        for cells, _, _, line in rows:
            if len(cells) >= 2 and cells[0]:
                self.page.properties.append((cells[0].rstrip(":"), cells[1], line))

    def rows(self, table: etree._Element) -> list[Row]:
        rows = []
        for tr in table.iter():
            if name_of(tr) != "tr" or _nearest(tr, "table") is not table:
                continue  # a row of a table nested in a cell belongs to that cell
            cells, links = [], []
            for cell in tr:
                if name_of(cell) in ("td", "th"):
                    inline = self.inline_of(cell, separator="\n")
                    cells.append("; ".join(inline.text().split("\n")))
                    links += inline.links
            if cells:
                all_th = all(name_of(c) == "th" for c in tr if name_of(c) in ("td", "th"))
                rows.append((cells, links, all_th, tr.sourceline))
        return rows

    def item(self, li: etree._Element) -> Item:
        """A list item (or a task body): its own text, and nested lists as its children."""
        inline, children = Inline(), []
        inline.add(li.text)
        for node in li:
            name = name_of(node)
            if name in ("ul", "ol"):
                children += [self.item(n) for n in node if name_of(n) == "li"]
            elif name == "ac:task-list":
                children += self.tasks(node)
            else:
                self.inline(node, inline, False, separator="\n")
            inline.add(node.tail)
        return Item(inline.text(), inline.links, children, struck=inline.struck(), line=li.sourceline)  # fmt: skip

    def tasks(self, task_list: etree._Element) -> list[Item]:
        return [self.task(t) for t in task_list if name_of(t) == "ac:task"]

    def task(self, task: etree._Element) -> Item:
        status = child(task, "ac:task-status")
        word = "".join(status.itertext()).strip().lower() if status is not None else ""
        checked = {"complete": True, "incomplete": False}.get(word)
        body = child(task, "ac:task-body")
        if body is None:
            return Item("", checked=checked, line=task.sourceline)
        # The assignee is the first mention, the due date the first `<time>`, of this task's
        # own body: a nested task's belong to that task.
        own = [n for n in body.iter() if _nearest(n, "ac:task-body") is body]
        mention = next((ref for n in own if (ref := user_ref(n))), None)
        owner = self.user_name(*mention) if mention else None
        due = next((day for n in own if (day := time_date(n))), None)
        item = self.item(body)
        text = item.text
        if owner and text.startswith(owner):
            text = text[len(owner) :].lstrip(" ,:-")  # the leading mention is the assignee
        return Item(text, item.links, item.children, checked=checked, struck=item.struck,
                    owner=owner, due=due, line=task.sourceline)  # fmt: skip


def _is_block(el: etree._Element) -> bool:
    name = name_of(el)
    if name in HEADINGS or name in BLOCKS or name in CONTAINERS or name in SKIPPED:
        return True
    return name in ("ac:structured-macro", "ac:macro") and macro_name(el) not in INLINE_MACROS


def _nearest(el: etree._Element, name: str) -> etree._Element | None:
    """The closest ancestor-or-self of `el` with this name."""
    node: etree._Element | None = el
    while node is not None and name_of(node) != name:
        node = node.getparent()
    return node
