"""The Confluence source (SPEC §4.3): post-mortem pages of one space, found by label with CQL.

A first sync runs one CQL search (`type = page and space = … and label = …`, and-ed with the
optional `cql`) with storage bodies expanded, following `_links.next` to the last result page.

A re-sync has to know which pages changed and which are gone. A "modified since" query alone
cannot say the second (a deleted, moved or unlabelled page is simply not in it), and a label
change does not touch `lastmodified`. So a re-sync:
1. lists every matching page without bodies (id, version, labels: 100 per request). Stored
   pages missing from the listing left the space or lost the label: the sync removes them;
2. compares each page's hash (version number and time, title, labels, config fingerprint) with
   the stored one; an unchanged page costs nothing more;
3. if a changed page was saved since the last successful sync (by its listed version time),
   asks CQL for `lastmodified >= now("-N m")` with bodies expanded, N being the minutes since
   that sync plus an overlap, as CQL has minute precision. `now()` runs on Confluence's clock,
   which avoids CQL reading absolute times in the account's own time zone;
4. fetches by id each changed page that query did not bring (a label or config change, a page
   that failed or was skipped last time: re-read so its problem is reported again), or re-lists
   with bodies when that takes fewer requests.
An unchanged space costs ceil(pages / 100) search requests, plus one fetch per page that
failed or was skipped (the store keeps no rows for those to compare with).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from loaders.config import Config, SourceConfig
from loaders.config_schema import source_options
from loaders.model import (
    ConfigError,
    Failed,
    KnownDocument,
    Loaded,
    Outcome,
    PostMortem,
    Skipped,
    Unchanged,
)
from loaders.normalize import Normalizer
from loaders.reading.dates import ImpossibleDate, parse_datetime
from loaders.reading.document import BlockReader, mark_unstated
from loaders.reading.extract import Rules, words
from loaders.sources.confluence.client import LIMITS, ConfluenceClient, Limits, Target, connect
from loaders.sources.confluence.storage import StorageError, UserNames, parse_storage

log = logging.getLogger(__name__)
DEFAULT_LABEL = "postmortem"
OPTIONS = source_options("confluence")
# `/rest/api/search` wraps each page in a result, so its expansions take a `content.` prefix.
LIST_EXPAND = "content.version,content.metadata.labels"
BODY_EXPAND = "content.body.storage,content.version,content.metadata.labels,content.history"
PAGE_EXPAND = "body.storage,version,metadata.labels,history"
ORDER = " order by created asc"  # new pages come last, so paging never skips an old one
CLOUD_HOSTS = (".atlassian.net", ".jira.com")
_SPACE_KEY = re.compile(r"^~?[A-Za-z0-9_.-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PageError(ValueError):
    """A page that cannot be read as a post-mortem; the message says why."""


class NotAPostMortem(ValueError):
    """A template or an index page carrying the label: skipped with a warning."""


@dataclass(frozen=True, slots=True)
class ConfluenceSettings:
    target: Target
    label: str
    cql: str | None

    def base_cql(self) -> str:
        cql = (
            f"type = page and space = {_quote(self.target.space)} and label = {_quote(self.label)}"
        )
        return f"{cql} and ({self.cql})" if self.cql else cql


class ConfluenceSource:
    kind = "confluence"

    def __init__(
        self,
        settings: ConfluenceSettings,
        reader: BlockReader,
        fingerprint: str,
        *,
        limits: Limits = LIMITS,
        client: ConfluenceClient | None = None,
    ) -> None:
        self.name = settings.target.source_name
        self.settings = settings
        self.reader = reader
        self.fingerprint = fingerprint
        self.limits = limits
        self._client = client

    @classmethod
    def from_config(
        cls, source: SourceConfig, config: Config, *, limits: Limits = LIMITS
    ) -> ConfluenceSource:
        reader = BlockReader(Rules(config), Normalizer(config))
        return cls(_settings(source), reader, config.fingerprint(), limits=limits)

    def read(self, known: Mapping[str, KnownDocument], since: datetime | None) -> Iterator[Outcome]:
        client = self._client or connect(self.settings.target, self.limits)
        base = self.settings.base_cql()
        if not known or since is None:
            yield from self._read_all(client, base, known, set())
            return
        listing: dict[str, dict[str, Any]] = {}
        for content in client.search(base + ORDER, LIST_EXPAND, self.limits.list_page_size):
            listing.setdefault(str(content["id"]), content)
        changed: set[str] = set()
        for page_id, content in listing.items():
            stored = known.get(page_id)
            if stored is not None and stored.content_hash == self._hash(content):
                yield Unchanged(page_id)
            else:
                changed.add(page_id)
        if not changed:
            return
        done: set[str] = set()
        minutes = self._minutes_since(since)
        window_start = since - timedelta(minutes=self.limits.overlap_minutes)
        if any(_edited_at(listing[p]) >= window_start for p in changed):
            recent = f'{base} and lastmodified >= now("-{minutes}m"){ORDER}'
            for content in client.search(recent, BODY_EXPAND, self.limits.body_page_size):
                page_id = str(content["id"])
                if page_id in changed and page_id not in done:
                    done.add(page_id)
                    yield from self._read_page(content, client)
        rest = changed - done
        if len(rest) > self.limits.body_page_size:
            # More pages to fetch one by one than a page of search results holds: re-list.
            yield from self._read_all(client, base, known, done, only=rest)
            return
        for page_id in sorted(rest):
            # Only the id is known here; a page deleted since it was listed yields nothing.
            yield from self._read_page({"id": page_id}, client)

    def _read_all(
        self,
        client: ConfluenceClient,
        base: str,
        known: Mapping[str, KnownDocument],
        done: set[str],
        only: set[str] | None = None,
    ) -> Iterator[Outcome]:
        for content in client.search(base + ORDER, BODY_EXPAND, self.limits.body_page_size):
            page_id = str(content["id"])
            if page_id in done or (only is not None and page_id not in only):
                continue
            done.add(page_id)
            stored = known.get(page_id)
            if stored is not None and stored.content_hash == self._hash(content):
                yield Unchanged(page_id)
            else:
                yield from self._read_page(content, client)

    def _read_page(self, content: dict[str, Any], client: ConfluenceClient) -> Iterator[Outcome]:
        """The outcome for one page; nothing when it was deleted while the sync ran."""
        if _storage(content) is None:
            # A search that ignored the body expansion (some Server versions): fetch the page.
            fetched = client.page(str(content["id"]), PAGE_EXPAND)
            if fetched is None:
                return
            content = fetched
        yield self._outcome(content, client)

    def _outcome(self, content: dict[str, Any], client: ConfluenceClient) -> Outcome:
        page_id = str(content["id"])
        try:
            pm = parse_page(
                content,
                source_name=self.name,
                web_base=self.settings.target.url,
                reader=self.reader,
                label=self.settings.label,
                user_name=client.user_name,
            )
        except NotAPostMortem as e:
            return Skipped(page_id, str(e))
        except (StorageError, PageError) as e:
            return Failed(page_id, str(e))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            log.warning("page %s: unexpected content", page_id, exc_info=True)
            return Failed(page_id, f"Confluence's answer for this page has an unexpected shape "
                                   f"({type(e).__name__}: {e}); the other pages were read")  # fmt: skip
        pm.content_hash = self._hash(content)
        return Loaded(pm)

    def _hash(self, content: dict[str, Any]) -> str:
        """What decides whether a stored page is current, computable without its body."""
        version = content.get("version") or {}
        parts = [
            self.fingerprint,
            self.settings.label,
            str(content.get("id")),
            version.get("number"),
            version.get("when"),
            content.get("title"),
            sorted(page_labels(content)),
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]

    def _minutes_since(self, since: datetime) -> int:
        """Minutes back from Confluence's now() that cover everything since `since` (naive UTC)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        elapsed = max((now - since).total_seconds(), 0.0)
        return math.ceil(elapsed / 60) + self.limits.overlap_minutes


def parse_page(
    content: dict[str, Any],
    *,
    source_name: str,
    web_base: str,
    reader: BlockReader,
    label: str,
    user_name: UserNames,
) -> PostMortem:
    """One page (v1 Content with body.storage, version, labels, history) -> PostMortem."""
    page_id = str(content["id"])
    title = str(content.get("title") or "").strip()
    storage = _storage(content)
    if storage is None:
        raise PageError("Confluence sent no storage-format body for this page")
    if "template" in words(title).split():
        raise NotAPostMortem(f"{title!r} looks like a template; not loaded as a post-mortem")
    page = parse_storage(storage, user_name)
    if "detailssummary" in page.macros and not page.properties:
        raise NotAPostMortem(
            f"{title!r} is an index (a Page Properties Report), not a post-mortem; "
            f"remove the {label!r} label from it to silence this warning"
        )
    if not page.blocks and not page.properties:
        raise PageError(f"the page is empty; write the post-mortem or remove the {label!r} label")
    webui = (content.get("_links") or {}).get("webui")
    version = content.get("version") or {}
    pm = PostMortem(
        source_name=source_name,
        source_kind="confluence",
        source_id=page_id,
        source_url=f"{web_base}/{str(webui).lstrip('/')}" if webui else None,
        source_updated_at=_moment(version.get("when")),
    )
    if title:
        reader.apply_title(pm, title, "page title")
    for key, value, line in page.properties:
        name = reader.rules.label_of(key)
        if name:
            reader.apply(pm, name, value, f"property '{key}' (line {line})")
    reader.apply(pm, "tags", [t for t in page_labels(content) if t != label], "page labels")
    reader.read_blocks(pm, page.blocks, items_stated=False)
    created = (content.get("history") or {}).get("createdDate")
    reader.apply(pm, "published_at", created, "page created")
    mark_unstated(pm)
    return pm


def page_labels(content: dict[str, Any]) -> list[str]:
    """The page's global labels (personal `my:` labels are not the team's tags)."""
    labels = ((content.get("metadata") or {}).get("labels")) or {}
    results = labels.get("results", []) if isinstance(labels, dict) else labels
    return [
        str(r.get("name"))
        for r in results
        if isinstance(r, dict) and r.get("name") and r.get("prefix", "global") == "global"
    ]


def _storage(content: dict[str, Any]) -> str | None:
    value = ((content.get("body") or {}).get("storage") or {}).get("value")
    return value if isinstance(value, str) else None


def _edited_at(content: dict[str, Any]) -> datetime:
    """When the listed version was saved (naive UTC); the distant past when not given."""
    return _moment((content.get("version") or {}).get("when")) or datetime.min


def _moment(value: object) -> datetime | None:
    try:
        return parse_datetime(value)
    except ImpossibleDate:
        return None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _settings(source: SourceConfig) -> ConfluenceSettings:
    options, name = source.options, source.name

    def fail(problem: str) -> ConfigError:
        return ConfigError(f"Confluence source {name!r}: {problem}.")

    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise fail(f"unknown option(s) {', '.join(unknown)}; the options are {', '.join(OPTIONS)}")
    for key in ("url", "space", "token_env"):
        if not isinstance(options.get(key), str) or not options[key].strip():
            raise fail(f"`{key}` is required")
    for key in ("label", "cql", "username_env"):
        if key in options and (not isinstance(options[key], str) or not options[key].strip()):
            raise fail(f"`{key}` must be a non-empty string")
    for key in ("token_env", "username_env"):
        if key in options and not _ENV_NAME.match(options[key]):
            raise fail(
                f"`{key}` must name an environment variable (like CONFLUENCE_TOKEN), "
                "not hold the secret itself"
            )
    parts = urlsplit(options["url"].strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(f"`url` must be an http(s) address such as https://example.atlassian.net/wiki, "
                   f"not {options['url']!r}")  # fmt: skip
    if parts.username or parts.password or parts.query:
        raise fail("`url` must not carry credentials or a query; credentials go in the "
                   "environment variables named by `username_env` and `token_env`")  # fmt: skip
    host = parts.hostname.lower()
    cloud = options.get("cloud", host.endswith(CLOUD_HOSTS))
    if not isinstance(cloud, bool):
        raise fail("`cloud` must be true or false")
    path = parts.path.rstrip("/")
    if cloud and not path:
        path = "/wiki"  # Cloud serves Confluence under /wiki
    if cloud and "username_env" not in options:
        raise fail("Confluence Cloud needs `username_env`, the variable holding the account "
                   "e-mail that goes with the API token in `token_env`")  # fmt: skip
    space = options["space"].strip()
    if not _SPACE_KEY.match(space):
        raise fail(f"`space` must be a space key such as ENG, not {space!r}")
    port = f":{parts.port}" if parts.port else ""
    target = Target(
        source_name=name,
        url=f"{parts.scheme}://{host}{port}{path}",
        space=space,
        cloud=cloud,
        token_env=options["token_env"],
        username_env=options.get("username_env"),
    )
    label = options.get("label", DEFAULT_LABEL).strip()
    cql = options["cql"].strip() if "cql" in options else None
    return ConfluenceSettings(target, label, cql)
