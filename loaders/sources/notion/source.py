"""The Notion source (SPEC §4.2): the pages of one Notion database, read as post-mortems.

Flow, with notion-client 3.1.0 and Notion-Version 2025-09-03: retrieve the database to learn
its data sources (`databases.query` is gone), retrieve each data source for its schema (which
property holds what, and which data source a relation points at), list its pages, then read the
body blocks of the pages that need reading. Action items come from a relation to an
action-items database when a page has one, else from `to_do` / list items under an "Action
items" heading in the body.

Incremental sync, and why it lists every page. Notion reports no deletions: a page moved to the
trash drops out of query results and a deleted one is simply gone, so only a listing of the data
source can tell which stored post-mortems vanished. A query filtered on `last_edited_time` would
cost nothing when nothing changed but could never notice a removal. So each sync makes one
unfiltered query per post-mortem data source (one request per 100 pages, full properties
included, so a changed page needs no second request for its properties) and compares each page
with the store:
- a page is re-read when its version key differs from the stored `content_hash` (the key covers
  `last_edited_time`, the page's relation ids, the config fingerprint and this source's
  mapping), or when it was edited within OVERLAP before the last sync began: Notion's
  timestamps are cut to the minute, so an edit in the same minute as the last read looks like
  no edit at all;
- only re-read pages cost block requests (children, paginated, and nested children);
- a stored page missing from the listing (trashed, deleted, no longer shared) is not mentioned,
  which removes it from the store.
Action items in a related database change without their post-mortem changing (ticking an item
off edits the item, not the post-mortem), so the action-items data source is queried too: in
full on the first sync, afterwards only for items edited since the last sync began (minus
OVERLAP). A post-mortem related to a changed item is re-read. Items a re-read page needs and
this sync has not seen are fetched one GET each, or by one listing of the items data source when
that costs fewer requests.

So a sync with nothing changed costs one query request per data source (SPEC §9 P6) — the
post-mortems' listing and the items' filtered query — plus the two GETs that find them (the
database and its data source); no block and no page request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from notion_client.helpers import extract_database_id

from loaders.config import Config, SourceConfig
from loaders.config_schema import source_options
from loaders.model import ConfigError, KnownDocument, Outcome, SourceError
from loaders.normalize import Normalizer
from loaders.reading.document import BlockReader
from loaders.reading.extract import Rules
from loaders.sources.notion.api import API_URL, NotionApi, Tuning, make_client, redacting_logger
from loaders.sources.notion.properties import FIELD_KEYS, ITEM_KEYS
from loaders.sources.notion.reader import DatabaseReader

DEFAULT_TUNING = Tuning()
OPTIONS = source_options("notion")


class NotionSource:
    kind = "notion"

    def __init__(
        self,
        name: str,
        database_id: str,
        config: Config,
        *,
        token_env: str = "NOTION_TOKEN",
        api_url: str = API_URL,
        properties: Mapping[str, str] | None = None,
        item_properties: Mapping[str, str] | None = None,
        tuning: Tuning = DEFAULT_TUNING,
    ) -> None:
        self.name = name
        self.database_id = database_id
        self.token_env = token_env
        self.api_url = api_url
        self.properties = dict(properties or {})
        self.item_properties = dict(item_properties or {})
        self.tuning = tuning
        self.rules = Rules(config)
        self.reader = BlockReader(self.rules, Normalizer(config))
        self.fingerprint = config.fingerprint()

    @classmethod
    def from_config(
        cls, source: SourceConfig, config: Config, tuning: Tuning = DEFAULT_TUNING
    ) -> NotionSource:
        origin = f"notion source {source.name!r}"
        options = source.options
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ConfigError(f"{origin}: unknown option(s) {unknown}; use {', '.join(OPTIONS)}.")
        token_env = options.get("token_env", "NOTION_TOKEN")
        if not isinstance(token_env, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token_env):
            raise ConfigError(
                f"{origin}: `token_env` must be the name of an environment variable, "
                "such as NOTION_TOKEN (never the token itself)."
            )
        api_url = options.get("api_url", API_URL)
        if not isinstance(api_url, str) or not re.match(r"https?://[^/\s]+", api_url):
            raise ConfigError(f"{origin}: `api_url` must be an http(s) URL such as {API_URL}.")
        return cls(
            source.name,
            _database_id(options.get("database_id"), origin),
            config,
            token_env=token_env,
            api_url=re.sub(r"/(v1/?)?$", "", api_url.rstrip("/")),
            properties=_mapping(options, "properties", FIELD_KEYS, origin),
            item_properties=_mapping(options, "action_item_properties", ITEM_KEYS, origin),
            tuning=tuning,
        )

    def read(self, known: Mapping[str, KnownDocument], since: datetime | None) -> Iterator[Outcome]:
        token = os.environ.get(self.token_env, "").strip()
        if not token:
            raise SourceError(
                f"The environment variable {self.token_env} is not set: set it to the Notion "
                f"integration's secret to read database {self.database_id}.",
                title="No Notion token",
            )
        with redacting_logger(token) as logger:
            client = make_client(token, self.api_url, self.tuning, logger)
            api = NotionApi(
                client, database_id=self.database_id, token=token, token_env=self.token_env,
                api_url=self.api_url, tuning=self.tuning,
            )  # fmt: skip
            try:
                yield from DatabaseReader(self, api, known, since).outcomes()
            finally:
                client.close()


def _database_id(value: object, origin: str) -> str:
    """The id from a bare id (with or without dashes) or the database's URL."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{origin}: `database_id` is missing; copy it from the database's URL "
            "(the 32 characters before `?v=`)."
        )
    database_id = extract_database_id(value)  # the path's id, never the view's `?v=`
    if database_id is None:
        raise ConfigError(f"{origin}: `database_id` {value!r} is not a Notion id or database URL.")
    return database_id


def _mapping(
    options: Mapping[str, Any], key: str, allowed: Mapping[str, str] | tuple[str, ...], origin: str
) -> dict[str, str]:
    raw = options.get(key, {})
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in raw.items()
    ):
        raise ConfigError(f"{origin}: [sources.{key}] must map field names to property names.")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{origin}: [sources.{key}] has unknown field(s) {unknown}; use {', '.join(allowed)}."
        )
    return dict(raw)
