"""Reading one Notion database for one sync: what changed, and reading what did.

`loaders.sources.notion.source` explains the incremental design (why every sync lists the post-mortems but
asks the action items only for recent edits); this module carries it out with as few requests
as it can: block children only for pages that need reading, action items fetched only when a
re-read page needs ones this sync has not seen.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from loaders.model import (
    Failed,
    KnownDocument,
    Loaded,
    Outcome,
    PostMortem,
    Skipped,
    SourceError,
    Unchanged,
)
from loaders.reading.document import BlockReader, mark_unstated
from loaders.reading.extract import Rules, words
from loaders.sources.notion.api import PAGE_SIZE, NotFound, NotionApi, database_not_shared
from loaders.sources.notion.blocks import fetch_tree, to_blocks
from loaders.sources.notion.properties import (
    PageError,
    action_item,
    add_stated_sections,
    notion_time,
    read_properties,
    relation_ids,
    resolve_mapping,
    value_of,
)
from loaders.sources.responses import ResponseTooLarge


class DatabaseSettings(Protocol):
    """What a reader needs of its source (NotionSource has it); a protocol, so that the
    reader does not import the source that imports it."""

    name: str
    database_id: str
    properties: dict[str, str]
    item_properties: dict[str, str]
    reader: BlockReader
    rules: Rules
    fingerprint: str


OVERLAP = timedelta(minutes=5)  # minute-precision timestamps, plus some clock skew
VERSION = 1  # bump when pages are read differently, so that every page is read again


@dataclass(slots=True)
class _DataSource:
    id: str
    mapping: dict[str, str]
    items_source: str | None  # the data source the action-items relation points at
    pages: list[dict[str, Any]] = field(default_factory=list)


class DatabaseReader:
    """One sync of one database: what to re-read, and reading it (see `loaders.sources.notion.source`)."""

    def __init__(
        self,
        source: DatabaseSettings,
        api: NotionApi,
        known: Mapping[str, KnownDocument],
        since: datetime | None,
    ) -> None:
        self.source = source
        self.api = api
        self.known = known
        # The store hands naive UTC, the form Notion's timestamps are converted to here.
        self.since = since.astimezone(UTC).replace(tzinfo=None) if since and since.tzinfo else since
        self.items: dict[str, dict[str, Any] | None] = {}  # item page id -> page (None: gone)
        self.changed_items: set[str] = set()
        self.changed_item_owners: set[str] = set()  # pages the changed items relate to
        self.relations: dict[str, list[str]] = {}  # page id -> its action items' ids
        self.listed_items: set[str] = set()  # items data sources listed in full this run
        self.titles: dict[str, str] = {}  # related page id -> its title
        self.item_sources: dict[str, str] = {}  # items data source -> the relation's name

    def outcomes(self) -> Iterator[Outcome]:
        sources = self._data_sources()
        for ds in sources:
            ds.pages = self._list_pages(ds.id)
        for items_source in sorted({ds.items_source for ds in sources if ds.items_source}):
            self._changed_items(items_source)
        plan = [(ds, page, self._needs_reading(ds, page)) for ds in sources for page in ds.pages]
        wanted: list[str] = []
        for ds, page, read in plan:
            if read:
                # A malformed or vanished relation is that page's failure, when it is read.
                with suppress(PageError, NotFound):
                    wanted += self._item_ids(ds, page)
        self._fetch_missing_items(wanted, sources)
        for ds, page, read in plan:
            yield self._outcome(ds, page) if read else Unchanged(page["id"])

    # -- discovery and listing ----------------------------------------------------------------

    def _data_sources(self) -> list[_DataSource]:
        db = self.source.database_id
        try:
            database = self.api.call(
                "GET", f"database {db}", self.api.client.databases.retrieve, database_id=db
            )
            found = []
            for entry in database.get("data_sources") or []:
                schema = self.api.call(
                    "GET", f"data source {entry['id']}", self.api.client.data_sources.retrieve,
                    data_source_id=entry["id"],
                )  # fmt: skip
                found.append(self._data_source(entry["id"], schema.get("properties") or {}))
        except NotFound:
            raise database_not_shared(db) from None
        if not found:
            raise SourceError(
                f"Notion database {db} has no data source to read; check `database_id`.",
                title="The Notion database is empty",
            )
        return found

    def _data_source(self, ds_id: str, schema: dict[str, Any]) -> _DataSource:
        missing = {k: v for k, v in self.source.properties.items() if v not in schema}
        if missing:
            raise SourceError(
                f"Notion database {self.source.database_id} has no property named "
                f"{', '.join(repr(v) for v in missing.values())} (mapped in the config); its "
                f"properties are {', '.join(repr(n) for n in schema)}.",
                title="A mapped Notion property does not exist",
            )
        mapping = resolve_mapping(schema, self.source.properties, self.source.rules)
        relation = schema.get(mapping.get("action_items", ""), {}).get("relation") or {}
        items_source = relation.get("data_source_id")
        if items_source:
            self.item_sources[items_source] = mapping["action_items"]
        return _DataSource(ds_id, mapping, items_source)

    def _list_pages(self, ds_id: str, **query: Any) -> list[dict[str, Any]]:
        """The live pages of a data source (trashed ones are left out, whoever sends them)."""
        try:
            results = self.api.paginate(
                "POST", f"the query of data source {ds_id}", self.api.client.data_sources.query,
                data_source_id=ds_id, **query,
            )  # fmt: skip
            return [
                p
                for p in results
                if isinstance(p, dict)
                and p.get("object") == "page"
                and not p.get("in_trash")
                and not p.get("archived")
            ]
        except NotFound:
            if ds_id in self.item_sources:
                raise SourceError(
                    f"The action items that {self.item_sources[ds_id]!r} relates to (data source "
                    f"{ds_id}) were not found (404 object_not_found): share their database with "
                    "the integration too (its ••• menu → Connections → add the integration).",
                    title="The Notion action-items database is not shared with the integration",
                ) from None
            raise database_not_shared(self.source.database_id) from None

    def _changed_items(self, items_source: str) -> None:
        if self.since is None or not self.known:
            pages = self._list_pages(items_source)
            self.listed_items.add(items_source)
        else:
            after = (self.since - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            edited = {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": after}}
            pages = self._list_pages(items_source, filter=edited)
        for page in pages:
            self.items[page["id"]] = page
            self.changed_items.add(page["id"])
            # An item's own relation names its post-mortem even when the post-mortem's list of
            # items was cut at 25 references in the listing.
            self.changed_item_owners |= _related_ids(page)

    # -- what to re-read --------------------------------------------------------------------

    def _listed_relations(self, ds: _DataSource, page: dict[str, Any]) -> list[str] | None:
        """The action-item ids in the listing (at most 25); None when the value is malformed."""
        try:
            return relation_ids(page.get("properties") or {}, ds.mapping.get("action_items"))
        except PageError:
            return None

    def _version(self, ds: _DataSource, page: dict[str, Any]) -> str:
        relations = self._listed_relations(ds, page)
        key = [
            VERSION, self.source.fingerprint, sorted(self.source.properties.items()),
            sorted(self.source.item_properties.items()), page["id"],
            page.get("last_edited_time"), relations,
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()

    def _needs_reading(self, ds: _DataSource, page: dict[str, Any]) -> bool:
        stored = self.known.get(page["id"])
        if stored is None or stored.content_hash != self._version(ds, page):
            return True
        edited = notion_time(page.get("last_edited_time"))
        if self.since is None or edited is None or edited >= self.since - OVERLAP:
            return True
        if page["id"] in self.changed_item_owners:
            return True
        listed = self._listed_relations(ds, page)
        return listed is None or not self.changed_items.isdisjoint(listed)

    def _item_ids(self, ds: _DataSource, page: dict[str, Any]) -> list[str]:
        """The ids of a page's related action items, in the order the page lists them."""
        if page["id"] in self.relations:
            return self.relations[page["id"]]
        name = ds.mapping.get("action_items")
        properties = page.get("properties") or {}
        ids = relation_ids(properties, name)
        prop = properties.get(name) if name else None
        if isinstance(prop, dict) and prop.get("has_more"):
            # A page object holds 25 references; the property endpoint pages through them all.
            results = self.api.paginate(
                "GET", f"the relation '{name}' of page {page['id']}",
                self.api.client.pages.properties.retrieve, page_id=page["id"],
                property_id=prop["id"],
            )  # fmt: skip
            ids = [r["relation"]["id"] for r in results if r.get("type") == "relation"]
        self.relations[page["id"]] = ids
        return ids

    def _fetch_missing_items(self, ids: list[str], sources: list[_DataSource]) -> None:
        """Fetch the items of re-read pages that this sync has not seen yet, in fewest requests.

        One GET per item, or one listing of the items data source (100 items a request) when
        that costs fewer requests: the listed post-mortems' references estimate its size.
        """
        missing = [i for i in dict.fromkeys(ids) if i not in self.items]
        unlisted = sorted(
            {str(ds.items_source) for ds in sources if ds.items_source} - self.listed_items
        )
        referenced = {
            i for ds in sources for p in ds.pages for i in self._listed_relations(ds, p) or []
        }
        if unlisted and len(missing) > len(unlisted) * math.ceil(len(referenced) / PAGE_SIZE):
            for items_source in unlisted:
                self.items.update({p["id"]: p for p in self._list_pages(items_source)})
            missing = [i for i in missing if i not in self.items]
        for item_id in missing:
            try:
                page = self.api.call(
                    "GET", f"action item {item_id}", self.api.client.pages.retrieve, page_id=item_id
                )
            except NotFound:
                page = None  # deleted or not shared: no longer an action item
            self.items[item_id] = None if not page or page.get("in_trash") else page

    # -- reading one page ---------------------------------------------------------------------

    def _outcome(self, ds: _DataSource, page: dict[str, Any]) -> Outcome:
        page_id = page["id"]
        try:
            return self._read_page(ds, page)
        except NotFound as e:
            return Failed(page_id, f"{e}: the page was deleted or unshared during the sync")
        except ResponseTooLarge as e:
            return Failed(page_id, str(e))
        except (PageError, KeyError, TypeError, ValueError, AttributeError) as e:
            return Failed(page_id, f"malformed page in Notion's answer: {self.api.redact(str(e))}")

    def _read_page(self, ds: _DataSource, page: dict[str, Any]) -> Outcome:
        source = self.source
        pm = PostMortem(source.name, "notion", page["id"], source_url=page.get("url"))
        properties = page.get("properties")
        if not isinstance(properties, dict):
            raise PageError("the page has no properties object")
        read_properties(pm, properties, ds.mapping, source.reader, self._titles)
        if pm.title and "template" in words(pm.title).split():
            return Skipped(page["id"], f"looks like a template (title {pm.title!r}); not loaded")
        for position, item_id in enumerate(
            (i for i in self._item_ids(ds, page) if self.items.get(i)), start=1
        ):
            pm.action_items.append(
                action_item(self.items[item_id] or {}, position, source.item_properties)
            )
        tree = fetch_tree(page["id"], self._children)
        source.reader.read_blocks(pm, to_blocks(tree), items_stated=bool(pm.action_items))
        add_stated_sections(pm)
        mark_unstated(pm)
        pm.content_hash = self._version(ds, page)
        pm.source_updated_at = notion_time(page.get("last_edited_time"))
        return Loaded(pm)

    def _children(self, block_id: str) -> list[dict[str, Any]]:
        return list(
            self.api.paginate(
                "GET",
                f"the blocks of {block_id}",
                self.api.client.blocks.children.list,
                block_id=block_id,
            )  # fmt: skip
        )

    def _titles(self, ids: list[str]) -> list[str]:
        """The titles of related pages (a Services database, say), each fetched once a sync."""
        for page_id in ids:
            if page_id not in self.titles:
                try:
                    page = self.api.call(
                        "GET", f"related page {page_id}", self.api.client.pages.retrieve,
                        page_id=page_id,
                    )  # fmt: skip
                except NotFound:
                    page = {}
                titles = [
                    value_of(n, p)
                    for n, p in (page.get("properties") or {}).items()
                    if isinstance(p, dict) and p.get("type") == "title"
                ]
                self.titles[page_id] = next((t for t in titles if t), "")
        return [self.titles[i] for i in ids if self.titles[i]]


def _related_ids(page: Mapping[str, Any]) -> set[str]:
    """Every page id an action item's relation properties point at (its post-mortem, say)."""
    ids: set[str] = set()
    for prop in (page.get("properties") or {}).values():
        if isinstance(prop, dict) and prop.get("type") == "relation":
            ids.update(r["id"] for r in prop.get("relation") or [] if isinstance(r, dict))
    return ids
