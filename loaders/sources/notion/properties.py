"""Notion page properties -> PostMortem fields and ActionItems.

Which property holds what comes from the configured mapping first, then from the property's
name and type: the same label synonyms as Markdown's `Severity:` lines (so `Priority`, `Affected
services`, `Incident date`, `TTR` work), the title-type property as the title, a checkbox named
`Near miss` or `Drill` as the kind. A value is read from any sensible type (title, rich_text,
select, multi_select, status, date, people, relation, checkbox, url, number, formula); a type
the loader does not know is ignored. A value whose shape is not what its type promises raises
PageError, which fails that one page and never the source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loaders.model import SECTIONS, ActionItem, PostMortem
from loaders.reading.blocks import TABLE_COLUMNS
from loaders.reading.dates import ImpossibleDate, parse_date, parse_datetime, to_naive_utc
from loaders.reading.document import BlockReader
from loaders.reading.extract import Rules, find_ticket, kind_of, status_from_word, words

# Config keys of `[sources.properties]` -> PostMortem fields (`action_items` names the relation).
FIELD_KEYS = {
    "title": "title", "date": "incident_date", "incident_date": "incident_date",
    "started_at": "started_at", "detected_at": "detected_at", "resolved_at": "resolved_at",
    "published_at": "published_at", "severity": "severity", "services": "services",
    "categories": "categories", "tags": "tags", "status": "status", "kind": "kind",
    "time_to_detect": "time_to_detect_minutes", "time_to_recover": "time_to_recover_minutes",
    "summary": "summary", "root_cause": "root_cause", "customer_impact": "customer_impact",
    "action_items": "action_items",
}  # fmt: skip
ITEM_KEYS = ("title", "owner", "due", "status", "ticket", "closed")
_TEXT = ("title", "rich_text", "formula")
_DATE = ("date", "formula", "rich_text")
_LABEL = ("select", "status", "rich_text", "formula", "number")
_NAMES = ("multi_select", "select", "rich_text", "relation", "formula")
# The property types a field is taken from when only the property's name suggests it.
DEFAULT_TYPES: dict[str, tuple[str, ...]] = {
    "title": _TEXT, "incident_date": _DATE, "started_at": _DATE, "detected_at": _DATE,
    "resolved_at": _DATE, "published_at": _DATE, "severity": _LABEL, "services": _NAMES,
    "categories": _NAMES, "tags": _NAMES, "status": (*_LABEL, "checkbox"),
    "kind": (*_LABEL, "checkbox"), "time_to_detect_minutes": ("number", "formula", "rich_text"),
    "time_to_recover_minutes": ("number", "formula", "rich_text"), "summary": _TEXT,
    "root_cause": _TEXT, "customer_impact": _TEXT, "action_items": ("relation",),
}  # fmt: skip
SECTION_FIELDS = {"summary": "summary", "root_cause": "root_cause", "impact": "customer_impact"}
ITEM_TYPES: dict[str, tuple[str, ...]] = {
    "title": ("title",), "owner": ("people", "rich_text", "select"), "due": ("date", "formula"),
    "status": ("status", "select", "checkbox"), "ticket": ("url", "rich_text"),
    "closed": ("date", "formula"),
}  # fmt: skip
# Without a telling name, the defaults by type: owner = people, status = status or
# checkbox, ticket = url, due = date (never a date that records edits, which is no due date).
ITEM_TYPE_DEFAULTS = (
    ("title", "title"), ("owner", "people"), ("status", "status"), ("status", "checkbox"),
    ("ticket", "url"), ("due", "date"),
)  # fmt: skip
NOT_DUE_WORDS = ("created", "edited", "updated", "closed", "completed", "done")

Titles = Callable[[list[str]], list[str]]


class PageError(ValueError):
    """A page whose content does not have the shape the API promises; it fails alone."""


# -- values -------------------------------------------------------------------------------


def plain_text(rich: object, origin: str) -> str:
    """The text of a rich-text array: its `plain_text` pieces joined."""
    if not isinstance(rich, list) or not all(isinstance(r, dict) for r in rich):
        raise PageError(f"{origin} is not a rich-text array")
    return "".join(str(r.get("plain_text") or "") for r in rich)


def value_of(name: str, prop: Mapping[str, Any]) -> Any:
    """A property value as plain Python: str, list of str, number, bool, a date dict, or None."""
    kind = prop.get("type")
    origin = f"property '{name}' ({kind})"
    raw = prop.get(kind) if isinstance(kind, str) else None
    if kind in ("title", "rich_text"):
        return plain_text(raw, origin).strip() or None
    if kind in ("select", "status"):
        return None if raw is None else _name(raw, origin)
    if kind == "multi_select":
        return [_name(option, origin) for option in _list(raw, origin)]
    if kind == "people":
        return [n for n in (_person(p, origin) for p in _list(raw, origin)) if n]
    if kind == "relation":
        return [_id(r, origin) for r in _list(raw, origin)]
    if kind == "date":
        return None if raw is None else _date(raw, origin)
    if kind == "number":
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
            raise PageError(f"{origin} is not a number: {raw!r}")
        return raw
    if kind == "checkbox":
        if not isinstance(raw, bool):
            raise PageError(f"{origin} is not true or false: {raw!r}")
        return raw
    if kind in ("url", "email", "phone_number"):
        return raw or None
    if kind == "formula":
        if not isinstance(raw, dict):
            raise PageError(f"{origin} has no result object")
        inner = raw.get("type")
        value = raw.get(inner) if isinstance(inner, str) else None
        if inner == "date" and value is not None:
            return _date(value, origin)
        return value if value != "" else None
    return None  # rollup, files, unique_id, created_by, button, …: not read


def _list(raw: object, origin: str) -> list[Any]:
    if not isinstance(raw, list):
        raise PageError(f"{origin} is not a list: {raw!r}"[:200])
    return raw


def _name(option: object, origin: str) -> str:
    if not isinstance(option, dict) or not isinstance(option.get("name"), str):
        raise PageError(f"{origin} has an option without a name: {option!r}"[:200])
    return option["name"]


def _id(ref: object, origin: str) -> str:
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
        raise PageError(f"{origin} has a reference without an id: {ref!r}"[:200])
    return ref["id"]


def _person(user: object, origin: str) -> str | None:
    if not isinstance(user, dict):
        raise PageError(f"{origin} has a person that is not an object: {user!r}"[:200])
    name = user.get("name")  # a partial user (only an id) has no name to show
    return name.strip() if isinstance(name, str) and name.strip() else None


def _date(raw: object, origin: str) -> dict[str, Any]:
    """{"start", "end"}: dates stay strings; times become UTC datetimes (time_zone applied)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("start"), str):
        raise PageError(f"{origin} has no start date: {raw!r}"[:200])
    zone = raw.get("time_zone")
    return {key: _moment(raw.get(key), zone, origin) for key in ("start", "end")}


def _moment(text: object, zone: object, origin: str) -> str | datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise PageError(f"{origin} has a date that is not text: {text!r}")
    if "T" not in text:
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as e:
        raise PageError(f"{origin} has an unreadable time {text!r}") from e
    if moment.tzinfo is None and isinstance(zone, str):
        with suppress(ZoneInfoNotFoundError, ValueError):  # an unknown zone: time as written
            moment = moment.replace(tzinfo=ZoneInfo(zone))
    return to_naive_utc(moment) if moment.tzinfo else moment


def notion_time(text: object) -> datetime | None:
    """A `created_time` / `last_edited_time` as naive UTC: `…T09:09:00.000Z` or `…+00:00`."""
    if not isinstance(text, str):
        return None
    try:
        return to_naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC))
    except ValueError:
        return None


# -- which property holds what --------------------------------------------------------------


def default_field(name: str, kind: str, rules: Rules) -> str | None:
    """The field a property holds by its name and type alone, or None."""
    if kind == "title":
        return "title"
    section = rules.section_of(name) or ""
    # `Severity`, `Affected services`…; else `Summary`, `Root cause`, `Action items`.
    field = rules.label_of(name) or SECTION_FIELDS.get(section)
    if field is None and section == "action_items":
        field = "action_items"
    if field is None and kind == "checkbox" and kind_of(name):
        field = "kind"
    if field and kind in DEFAULT_TYPES.get(field, ()):
        return field
    return None


def resolve_mapping(
    schema: Mapping[str, Any], configured: Mapping[str, str], rules: Rules
) -> dict[str, str]:
    """field -> property name. `configured` names were checked against the schema already."""
    mapping = {FIELD_KEYS[key]: prop for key, prop in configured.items()}
    taken = set(mapping.values())
    for name, spec in schema.items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        field = default_field(name, str(kind), rules)
        if field and field not in mapping and name not in taken:
            mapping[field] = name
            taken.add(name)
    return mapping


# -- post-mortem fields ---------------------------------------------------------------------


def read_properties(
    pm: PostMortem,
    properties: Mapping[str, Any],
    mapping: Mapping[str, str],
    reader: BlockReader,
    titles: Titles,
) -> None:
    """Set the fields the mapped properties state; `titles` names related pages."""
    for field, name in mapping.items():
        prop = properties.get(name)
        if field == "action_items" or not isinstance(prop, dict):
            continue
        value = value_of(name, prop)
        origin = f"property '{name}'"
        if prop.get("type") == "relation" and value:
            value = titles(value)
        if isinstance(value, bool):
            # A ticked `Near miss` or `Published` box states its own name; an empty box, nothing.
            value = name if value else None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, list) and field not in ("services", "categories", "tags"):
            value = ", ".join(value) or None  # several options for a one-value field
        if isinstance(value, dict):  # a date: its start, and for the incident its span
            _apply_date(pm, field, value, origin, reader)
        elif field in ("summary", "root_cause", "customer_impact"):
            if value and getattr(pm, field) is None:
                setattr(pm, field, str(value))
                pm.provenance[field] = origin
        elif isinstance(value, int | float) and field not in (
            "time_to_detect_minutes", "time_to_recover_minutes",
        ):  # fmt: skip
            reader.apply(pm, field, str(value), origin)
        else:
            reader.apply(pm, field, value, origin)


def _apply_date(
    pm: PostMortem, field: str, value: dict[str, Any], origin: str, reader: BlockReader
) -> None:
    start, end = value["start"], value["end"]
    reader.apply(pm, field, start, origin)
    if field == "incident_date":
        # `Incident date: May 1 14:02 → 14:39` states when it started and when it ended.
        if isinstance(start, datetime):
            reader.apply(pm, "started_at", start, f"{origin} (start)")
        if isinstance(end, datetime):
            reader.apply(pm, "resolved_at", end, f"{origin} (end)")


def add_stated_sections(pm: PostMortem) -> None:
    """A Summary or Root cause property is that section, as much as a heading in the body is."""
    stated = {
        section for section, name in SECTION_FIELDS.items()
        if pm.provenance.get(name, "").startswith("property")
    }  # fmt: skip
    pm.sections = [s for s in SECTIONS if s in pm.sections or s in stated]


def relation_ids(properties: Mapping[str, Any], name: str | None) -> list[str]:
    prop = properties.get(name) if name else None
    if not isinstance(prop, dict) or prop.get("type") != "relation":
        return []
    return list(value_of(str(name), prop))


# -- action items from a related database -----------------------------------------------------


def item_mapping(properties: Mapping[str, Any], configured: Mapping[str, str]) -> dict[str, str]:
    """role -> property name for one action-item page: configured, then by name, then by type."""
    mapping = {role: name for role, name in configured.items() if name in properties}
    kinds = {n: p.get("type") for n, p in properties.items() if isinstance(p, dict)}
    for name, kind in kinds.items():
        key = words(name)
        role = next((r for r in ITEM_KEYS if key in TABLE_COLUMNS[r]), None)
        taken = name in mapping.values()
        if role and role not in mapping and kind in ITEM_TYPES[role] and not taken:
            mapping[role] = name
    for role, wanted in ITEM_TYPE_DEFAULTS:
        if role in mapping:
            continue
        for name, kind in kinds.items():
            if kind != wanted or name in mapping.values():
                continue
            if role == "due" and any(w in words(name) for w in NOT_DUE_WORDS):
                continue
            mapping[role] = name
            break
    return mapping


def action_item(
    page: Mapping[str, Any], position: int, configured: Mapping[str, str]
) -> ActionItem:
    """One row of an action-items database as an ActionItem; PageError when it has no title."""
    properties = page.get("properties")
    if not isinstance(properties, dict):
        raise PageError(f"action item {page.get('id')} has no properties")
    mapping = item_mapping(properties, configured)

    def value(role: str) -> Any:
        name = mapping.get(role)
        return value_of(name, properties[name]) if name else None

    title = value("title")
    if not title:
        raise PageError(f"action item {page.get('id')} has no title")
    item = ActionItem(position=position, title=str(title))
    owner = value("owner")
    item.owner = ", ".join(owner) if isinstance(owner, list) else owner
    item.owner = item.owner or None
    status = value("status")
    if isinstance(status, bool):
        item.status = "done" if status else "open"
        item.status_basis, item.status_raw = "checkbox", "checked" if status else "unchecked"
    elif status:
        item.status = status_from_word(str(status)) or "unknown"
        item.status_basis, item.status_raw = "field", str(status)
    try:
        due, closed = value("due"), value("closed")
        item.due_date = parse_date(due["start"] if isinstance(due, dict) else due)
        closed_at = closed["start"] if isinstance(closed, dict) else closed
        item.closed_at = parse_datetime(closed_at) or _midnight(parse_date(closed_at))
    except ImpossibleDate as e:
        raise PageError(f"action item {title!r}: {e}") from e
    ticket = value("ticket")
    if ticket:
        text = str(ticket)
        found = find_ticket(text, [text] if text.startswith("http") else [])
        item.ticket = found.key if found else text
        item.ticket_url = found.url if found and found.url else (text if "://" in text else None)
    item.created_at = notion_time(page.get("created_time"))
    return item


def _midnight(day: Any) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day)
