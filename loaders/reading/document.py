"""A post-mortem body as neutral blocks, and how fields are read from those blocks.

Markdown, Notion and Confluence each turn their own format into these few block kinds
(heading, paragraph, list, table); `read_blocks` then applies the one set of reading rules
(SPEC §4.1): title, sections, labelled lines, the incident date from the first dated timeline
row, and action items from lists and tables under the action-items heading. It fills only the
fields a source's structured metadata (front matter, page properties) left empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from loaders.model import ActionItem, PostMortem
from loaders.normalize import Normalizer, split_list
from loaders.reading import incident_date
from loaders.reading.blocks import (
    Block,
    Heading,
    Item,
    ItemList,
    Paragraph,
    Table,
    action_item_from_row,
    are_details,
)
from loaders.reading.dates import (
    ImpossibleDate,
    find_date,
    parse_date,
    parse_datetime,
    parse_duration_minutes,
    row_day,
)
from loaders.reading.extract import (
    Rules,
    Ticket,
    find_due,
    find_owner,
    find_ticket,
    heading_status,
    heading_ticket,
    is_horizon,
    kind_of,
    parse_action_text,
    postmortem_status,
    words,
)
from loaders.reading.limits import MAX_ACTION_ITEMS
from loaders.reading.sentences import durations_in_prose

SECTION_TEXT_LIMIT = 4000
# Headings that structure a document but never name the incident, so are never its title.
NON_TITLE_HEADINGS = {
    "metadata", "resolution", "what happened", "notes to the owner", "lessons learned",
    "detection", "supporting information", "short term fix", "background", "appendix", "notes",
    "references", "participants", "attendees", "authors", "what went well", "where we got lucky",
    "postmortem", "post mortem", "incident report", "details", "context", "recovery",
}  # fmt: skip
REPORTED_FIELDS = (
    "title", "incident_date", "started_at", "detected_at", "resolved_at", "published_at",
    "severity", "status", "kind", "services", "categories", "tags", "summary", "root_cause",
    "contributing_factors", "customer_impact", "time_to_detect_minutes", "time_to_recover_minutes",
)  # fmt: skip


@dataclass(slots=True)
class _Group:
    """A sub-heading inside the action items, and what it says about the items under it."""

    level: int
    heading: str
    status: str | None
    ticket: Ticket | None


@dataclass(slots=True)
class _State:
    section: str | None = None
    section_level: int = 0
    groups: list[_Group] = field(default_factory=list)  # the sub-headings the items are under
    pending_label: str | None = None
    pending_title: bool = False
    texts: dict[str, list[str]] = field(default_factory=dict)
    dates: dict[str, tuple[date, str]] = field(default_factory=dict)
    items: list[ActionItem] = field(default_factory=list)
    prose: list[tuple[str, int | None]] = field(default_factory=list)  # for stated durations


class BlockReader:
    """Reads fields from blocks into a PostMortem, for one configuration's rules."""

    def __init__(self, rules: Rules, normalizer: Normalizer) -> None:
        self.rules = rules
        self.normalizer = normalizer

    # -- fields stated as `label: value`, in front matter, properties or lines -----------

    def apply(self, pm: PostMortem, name: str, value: object, origin: str) -> None:
        """Set one field from a stated value, unless an earlier statement already set it."""
        if value is None or value == "" or value == []:
            return
        if name in ("services", "categories", "tags"):
            if getattr(pm, name):
                return
            names = split_list(value)
            if name == "services":
                pm.services = [(self.normalizer.service(n), n) for n in names]
            elif name == "categories":
                pm.categories = [(self.normalizer.category(n), n) for n in names]
            else:
                pm.tags = names
            if names:
                pm.provenance[name] = origin
            return
        if pm.provenance.get(name, "not stated") != "not stated" and name != "incident_date":
            return
        text = str(value).strip()
        if name == "title":
            pm.title = text
        elif name == "severity":
            pm.severity_raw = text
            found = self.normalizer.severity(text)
            if found:
                pm.severity, pm.severity_rank = found
            else:
                levels = ", ".join(self.normalizer.levels)
                pm.warnings.append(
                    f"unknown severity {text!r} ({origin}): use one of {levels} or add it to "
                    "[severity.aliases] in pmdash.toml; severity left empty"
                )
        elif name == "status":
            status = postmortem_status(text)
            if status is None:
                return
            pm.status = status
        elif name == "kind":
            kind = kind_of(text)
            if kind is None:
                return
            pm.kind = kind
        elif name == "incident_date":
            self._date_candidate(pm, value, origin)
            return
        elif name in ("started_at", "detected_at", "resolved_at", "published_at"):
            try:
                moment = parse_datetime(value)
                day = parse_date(value)
            except ImpossibleDate as e:
                pm.warnings.append(f"{e} ({origin}); {name} left empty")
                return
            if moment is None:
                if name == "started_at" and day is not None:
                    self._date_candidate(pm, day, origin)
                return
            setattr(pm, name, moment)
        elif name in ("time_to_detect_minutes", "time_to_recover_minutes"):
            minutes = parse_duration_minutes(value)
            if minutes is None:
                return
            setattr(pm, name, minutes)
        else:
            return
        pm.provenance[name] = origin

    def _date_candidate(self, pm: PostMortem, value: object, origin: str) -> None:
        try:
            day = parse_date(value)
        except ImpossibleDate as e:
            pm.warnings.append(f"{e} ({origin}); incident date not taken from it")
            return
        if day is not None:
            incident_date.offer(pm, day, origin)

    # -- the body ---------------------------------------------------------------------------

    def read_blocks(self, pm: PostMortem, blocks: list[Block], *, items_stated: bool) -> None:
        """Fill pm from a body. `items_stated`: structured metadata already listed the items."""
        state = _State()
        previous: Block | None = None
        for index, block in enumerate(blocks):
            if isinstance(block, Paragraph) and self._pseudo_heading(block, state):
                block = Heading(7, block.text.strip().rstrip(":"), block.line, block.links)
            if isinstance(block, Heading):
                self._heading(pm, block, state)
            elif isinstance(block, Paragraph):
                self._paragraph(pm, block, state)
            elif isinstance(block, ItemList):
                following = blocks[index + 1] if index + 1 < len(blocks) else None
                if state.section == "action_items" and are_details(previous, block, following):
                    self._item_details(previous, block, state, items_stated)
                else:
                    self._list(pm, block, state, items_stated)
            elif isinstance(block, Table):
                self._table(pm, block, state, items_stated)
            previous = block
        sections = set(state.texts)
        if not items_stated:
            pm.action_items = state.items
        if len(pm.action_items) > MAX_ACTION_ITEMS:
            pm.warnings.append(
                f"{len(pm.action_items):,} action items, over the limit of {MAX_ACTION_ITEMS:,}; "
                f"only the first {MAX_ACTION_ITEMS:,} were loaded — split the list or move it "
                "to a tracker"
            )
            del pm.action_items[MAX_ACTION_ITEMS:]
        if pm.action_items:
            sections.add("action_items")
        pm.sections = [
            s
            for s in (
                "summary",
                "timeline",
                "contributing_factors",
                "root_cause",
                "impact",
                "action_items",
            )
            if s in sections
        ]
        _derive_durations(pm)
        for name, (minutes, origin) in durations_in_prose(state.prose).items():
            if getattr(pm, name) is None:
                setattr(pm, name, minutes)
                pm.provenance[name] = origin
        for name, section in (
            ("summary", "summary"),
            ("root_cause", "root_cause"),
            ("contributing_factors", "contributing_factors"),
            ("customer_impact", "impact"),
        ):
            if getattr(pm, name) is None and state.texts.get(section):
                setattr(pm, name, "\n".join(state.texts[section])[:SECTION_TEXT_LIMIT])
                pm.provenance[name] = f"{section} section"

    def _pseudo_heading(self, block: Paragraph, state: _State) -> bool:
        """A paragraph that is only a section name, like `Action Items` on a line of its own,
        or, among the action items, a short line that groups them (`Done:`, `Short-term`)."""
        text = block.text.strip().rstrip(":")
        if "\n" in text or not text:
            return False
        if (
            state.section == "action_items"
            and len(text.split()) <= 8
            and text[-1] != "."
            and (heading_status(text) is not None or is_horizon(text))
        ):
            return True
        return len(text.split()) <= 5 and self.rules.section_of(text) is not None

    def _heading(self, pm: PostMortem, block: Heading, state: _State) -> None:
        text = block.text.strip()
        state.pending_label = None
        if state.pending_title and pm.title is None and text:
            self.apply(pm, "title", text, f"heading after 'Title:' (line {block.line})")
            state.pending_title = False
            return
        section = self.rules.section_of(text)
        nested = state.section is not None and block.level > state.section_level
        if state.section == "action_items" and (
            nested or (block.level == state.section_level and is_horizon(text))
        ):
            # Items grouped under sub-headings ("Completed", "To do", "Infra", "Short-term")
            # stay items; such a sub-heading may give its items a status or a ticket.
            while state.groups and state.groups[-1].level >= block.level:
                state.groups.pop()
            state.groups.append(
                _Group(block.level, text, heading_status(text), heading_ticket(text, block.links))
            )
            self._section_text(state, text)
            return
        if state.section == "timeline" and len(text) <= 40 and row_day(text):
            # "## Timeline" then "## May 12", "## May 13": day headings at the timeline's
            # own level continue it.
            self._timeline_row(pm, text, block.line)
            self._section_text(state, text)
            return
        if section:
            state.section, state.section_level = section, block.level
            state.groups = []
            state.texts.setdefault(section, [])
            return
        if nested:
            if state.section == "timeline":
                self._timeline_row(pm, text, block.line)
            self._section_text(state, text)
            return
        state.section = None
        labelled = self.rules.labelled(text)
        if labelled:
            name, value = labelled
            if name == "title" and not value:
                state.pending_title = True
            else:
                self.apply(
                    pm, name, value, f"label '{text.split(':')[0].strip()}' (line {block.line})"
                )
            return
        label = self.rules.label_of(text)
        if label:
            state.pending_label = label
            return
        if block.level == 1 and pm.title is None and words(text) not in NON_TITLE_HEADINGS and text:
            self.apply_title(pm, text, f"H1 heading (line {block.line})")

    def apply_title(self, pm: PostMortem, text: str, origin: str) -> None:
        """A title as written; a date in it is a candidate for the incident date.

        `2020-08-28 - Memory overload` becomes the title `Memory overload`, dated 2020-08-28.
        """
        self.apply(pm, "title", _strip_leading_date(text) or text, origin)
        self.date_in_text(pm, text, f"title ({origin})")

    def date_in_text(self, pm: PostMortem, text: str, origin: str) -> None:
        """Offer the first date written in `text` as the incident date, from rule `origin`."""
        try:
            day = find_date(text, strict=True)
        except ImpossibleDate as e:
            pm.warnings.append(f"{e} ({origin}); incident date not taken from it")
            return
        if day:
            self._date_candidate(pm, day, origin)

    def _paragraph(self, pm: PostMortem, block: Paragraph, state: _State) -> None:
        if state.pending_title and pm.title is None:
            self.apply(
                pm,
                "title",
                block.text.strip().splitlines()[0],
                f"line after 'Title:' (line {block.line})",
            )
            state.pending_title = False
            return
        lines = block.text.splitlines()
        if state.pending_label and lines and not self.rules.labelled(lines[0]):
            name = state.pending_label
            self.apply(pm, name, lines[0], f"label heading '{name}' (line {block.line})")
        state.pending_label = None
        for offset, line in enumerate(lines):
            self._labelled_line(pm, line, _line(block.line, offset))
            if state.section == "timeline":
                self._timeline_row(pm, line, _line(block.line, offset))
            elif state.section == "summary" and not state.texts["summary"]:
                # "On the morning of Sept. 18th, 2017, …": the summary's opening names the day.
                day = find_date(line)
                if day:
                    self._date_candidate(
                        pm, day, f"summary: first date written (line {_line(block.line, offset)})"
                    )
        self._section_text(state, block.text)
        self._prose(state, block.text, block.line)

    def _prose(self, state: _State, text: str, line: int | None) -> None:
        """Keep text that may state a duration: not the timeline (a row times one step, not
        the incident) and not the action items (they say what should happen)."""
        if state.section not in ("timeline", "action_items"):
            state.prose.append((text, line))

    def _labelled_line(self, pm: PostMortem, line: str, number: int | None) -> None:
        labelled = self.rules.labelled(line)
        if labelled:
            name, value = labelled
            label = re.sub(r"[*_`]", "", line).split(":")[0].strip(" -*+")
            self.apply(pm, name, value, f"label '{label}' (line {number})")

    def _timeline_row(self, pm: PostMortem, text: str, number: int | None) -> None:
        """A row's day (the date it starts with) is one of the incident's days."""
        day = row_day(text)
        if day:
            incident_date.offer(pm, day, f"timeline: the row at line {number}")

    def _section_text(self, state: _State, text: str) -> None:
        if state.section:
            state.texts[state.section].append(text)

    def _list(self, pm: PostMortem, block: ItemList, state: _State, items_stated: bool) -> None:
        state.pending_label = None
        if state.section == "action_items":
            self._section_text(state, "\n".join(i.all_text() for i in block.items))
            if not items_stated:
                for item in block.items:
                    state.items.append(self._action_item(item, len(state.items) + 1, state))
            return
        for item in block.items:
            # Lines after "- Category: TLS" without a blank line continue the same item.
            for offset, line in enumerate(item.text.splitlines()):
                self._labelled_line(pm, line, _line(item.line, offset))
            if state.section == "timeline":
                self._timeline_row(pm, item.text, item.line)
            self._prose(state, item.all_text(), item.line)
        self._section_text(state, "\n".join(i.all_text() for i in block.items))

    def _item_details(
        self, numbered: Block | None, bullets: ItemList, state: _State, items_stated: bool
    ) -> None:
        """Bullets that detail the numbered action item above them join it (`are_details`)."""
        assert isinstance(numbered, ItemList)
        self._section_text(state, "\n".join(i.all_text() for i in bullets.items))
        parent = numbered.items[-1]
        parent.children.extend(bullets.items)
        if not items_stated:
            # Read the item again with its details: they may name its owner, due date, ticket.
            state.items[-1] = self._action_item(parent, state.items[-1].position, state)

    def _action_item(self, item: Item, position: int, state: _State) -> ActionItem:
        # The nearest sub-heading that states a status (or a ticket) speaks for the item.
        status_group = next((g for g in reversed(state.groups) if g.status), None)
        ticket_group = next((g for g in reversed(state.groups) if g.ticket), None)
        action = parse_action_text(
            item.text, position, links=item.links, struck=item.struck,
            group_status=status_group.status if status_group else None,
            group_heading=status_group.heading if status_group else None,
        )  # fmt: skip
        if item.checked is not None and action.status_basis in ("none", "heading"):
            action.status = "done" if item.checked else "open"
            action.status_basis, action.status_raw = (
                "checkbox",
                "checked" if item.checked else "unchecked",
            )
        nested = item.all_text()
        action.owner = item.owner or action.owner or find_owner(nested)
        action.due_date = item.due or action.due_date or find_due(nested)
        if action.ticket is None:
            ticket = find_ticket(nested, item.all_links())
            ticket = ticket or (ticket_group.ticket if ticket_group else None)
            if ticket:
                action.ticket, action.ticket_url = ticket.key, ticket.url
        action.line = item.line
        return action

    def _table(self, pm: PostMortem, block: Table, state: _State, items_stated: bool) -> None:
        state.pending_label = None
        if state.section == "action_items":
            self._section_text(state, "\n".join(" | ".join(r) for r in block.rows))
            if not items_stated:
                for i, row in enumerate(block.rows):
                    links = block.links[i] if i < len(block.links) else []
                    item = action_item_from_row(block.header, row, links, len(state.items) + 1)
                    if item:
                        # Rows follow the header and its delimiter line.
                        item.line = None if block.line is None else block.line + 2 + i
                        state.items.append(item)
            return
        if len(block.header) == 2:
            for key, value in [block.header, *block.rows]:
                label = self.rules.label_of(key)
                if label:
                    self.apply(pm, label, value, f"table row '{key.strip()}' (line {block.line})")
        if state.section == "timeline":
            for row in block.rows:
                self._timeline_row(pm, " ".join(row[:2]), block.line)
        self._section_text(state, "\n".join(" | ".join(r) for r in block.rows))


def _derive_durations(pm: PostMortem) -> None:
    """Time to detect and to recover from stated times, when the document gives no duration."""
    for name, end, label in (
        ("time_to_detect_minutes", pm.detected_at, "detected_at"),
        ("time_to_recover_minutes", pm.resolved_at, "resolved_at"),
    ):
        if getattr(pm, name) is None and pm.started_at and end and end >= pm.started_at:
            setattr(pm, name, (end - pm.started_at).total_seconds() / 60)
            pm.provenance[name] = f"computed: {label} - started_at"


def mark_unstated(pm: PostMortem) -> None:
    """Say so in the provenance of every field the document left empty."""
    for name in REPORTED_FIELDS:
        pm.provenance.setdefault(name, "not stated")


def _line(start: int | None, offset: int) -> int | None:
    return None if start is None else start + offset


def _strip_leading_date(title: str) -> str:
    """`2020-08-28 - Memory overload` -> `Memory overload`: the date is kept as the date."""
    return re.sub(r"^\s*\d{4}-\d{2}-\d{2}\s*[-–—:,]?\s*", "", title).strip()
