"""The neutral blocks every source's body becomes, and what a row of an action-item table says.

Markdown (markdown-it), Notion blocks and Confluence storage XHTML are each turned into these
few kinds, so the reading rules in `loaders.reading.document` are written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from loaders.model import ActionItem
from loaders.normalize import owner_name
from loaders.reading.dates import find_date
from loaders.reading.extract import (
    clean_title,
    find_due,
    find_owner,
    find_ticket,
    status_from_word,
    status_marker,
    words,
)

TABLE_COLUMNS = {
    "title": ("action", "action item", "action items", "item", "task", "title", "description", "what", "follow up", "remediation"),
    "owner": ("owner", "owners", "assignee", "who", "responsible", "dri", "assigned to"),
    "due": ("due", "due date", "deadline", "target date", "eta", "by", "when", "target"),
    "status": ("status", "state", "progress", "done"),
    "ticket": ("ticket", "issue", "jira", "link", "tracking", "bug", "pr", "tracker", "reference"),
    "closed": ("closed", "closed at", "closed on", "completed", "completed on", "done on", "date closed"),
}  # fmt: skip


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    line: int | None = None
    links: list[str] = field(default_factory=list)  # "Fixes (tracked in [#12](…/issues/12))"


@dataclass(slots=True)
class Paragraph:
    text: str
    links: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass(slots=True)
class Item:
    """A list item: its own text, and nested items that belong to it."""

    text: str
    links: list[str] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)
    checked: bool | None = None  # a structured to-do (Notion `to_do`, Confluence task)
    struck: bool = False  # the whole text is struck through
    owner: str | None = None  # a structured assignee
    due: date | None = None  # a structured due date
    line: int | None = None

    def all_text(self) -> str:
        return "\n".join([self.text, *(c.all_text() for c in self.children)])

    def all_links(self) -> list[str]:
        return [*self.links, *(link for c in self.children for link in c.all_links())]


@dataclass(slots=True)
class ItemList:
    items: list[Item]
    line: int | None = None
    start: int | None = None  # the first number of a numbered list; None for bullets


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    links: list[list[str]] = field(default_factory=list)  # links found in each row
    line: int | None = None


Block = Heading | Paragraph | ItemList | Table


def are_details(previous: Block | None, bullets: ItemList, following: Block | None) -> bool:
    """Whether `bullets`, written at column 0 right after a numbered list, are details of its
    last item rather than items of their own.

    Markdown ends a numbered list where a bullet starts at column 0, so "1. Fix X / - detail /
    2. Fix Y / - detail" parses as four lists, while a reader sees two items with details. The
    bullets are details when the numbering goes on after them, when the numbered list before
    them is itself such a continuation (starts after 1), or when it holds a single number.
    """
    if bullets.start is not None or not isinstance(previous, ItemList):
        return False
    if previous.start is None or not previous.items:
        return False
    next_number = previous.start + len(previous.items)
    continued = isinstance(following, ItemList) and following.start == next_number
    return continued or previous.start > 1 or len(previous.items) == 1


def _column_roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, name in enumerate(header):
        key = words(name)
        for role, names in TABLE_COLUMNS.items():
            if key in names and role not in roles:
                roles[role] = index
                break
    roles.setdefault("title", 0)
    return roles


def action_item_from_row(
    header: list[str], row: list[str], links: list[str], position: int
) -> ActionItem | None:
    roles = _column_roles(header)

    def cell(role: str) -> str:
        index = roles.get(role)
        return row[index].strip() if index is not None and index < len(row) else ""

    raw_title = cell("title")
    if not raw_title:
        return None
    item = ActionItem(position=position, title=clean_title(raw_title) or raw_title)
    status_text = cell("status")
    if status_text:
        marker = status_marker(status_text)
        if marker:
            item.status, item.status_basis, item.status_raw = marker
        else:
            item.status = status_from_word(status_text) or "unknown"
            item.status_basis, item.status_raw = "field", status_text
    else:
        marker = status_marker(raw_title)
        if marker:
            item.status, item.status_basis, item.status_raw = marker
    owner = cell("owner")
    item.owner = owner_name(owner) or find_owner(raw_title)
    item.due_date = find_date(cell("due")) or find_due(raw_title)
    ticket = find_ticket(cell("ticket"), links) or find_ticket(raw_title)
    if ticket:
        item.ticket, item.ticket_url = ticket.key, ticket.url
    closed = find_date(cell("closed"))
    if closed:
        item.closed_at = datetime(closed.year, closed.month, closed.day)
    return item
