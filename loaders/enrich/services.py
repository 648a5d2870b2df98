"""The catalog step: write `service_catalog`, and give every incident that states no service
the catalog services its title, summary, impact or root cause names (`basis = 'mentioned'`,
SPEC §4.5), with the words matched in the provenance key `services_mentioned`.

Only incidents re-loaded since the last run, or every incident when the catalog changed, are
matched again (loaders/enrich/marks.py): an unchanged re-sync reads the catalog files and
does one query.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from loaders import store
from loaders.config import Config
from loaders.enrich import StepOutcome
from loaders.enrich.catalog import Catalog, load_catalog
from loaders.enrich.marks import MENTIONED, fingerprint, pending, save, unstated_texts
from loaders.enrich.mentions import PLAIN_WORD_ZIPF, SHORT_ALIAS, Mention, MentionMatcher

RULES_VERSION = 1  # bump when the matching rules change, so stores are matched again


class CatalogStep:
    name = "catalog"

    def __init__(self, config: Config) -> None:
        self.config = config

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> StepOutcome:
        catalog = load_catalog(self.config)
        _write_catalog(conn, catalog)
        infer = self.config.infer_services and bool(catalog.services)
        settings = fingerprint(
            catalog.rows() if infer else "off", RULES_VERSION, SHORT_ALIAS, PLAIN_WORD_ZIPF
        )
        todo = pending(conn, self.name, settings)
        found = _match(conn, catalog, todo) if infer and not todo.empty else {}
        # service_raw: the words first matched, as the document writes them.
        values = {iid: [(m.service, m.found[0][1]) for m in ms] for iid, ms in found.items()}
        described = {iid: "; ".join(m.describe() for m in ms) for iid, ms in found.items()}
        save(conn, self.name, settings, todo, MENTIONED, values, described)
        message = (
            f"{len(catalog.services)} services in the catalog; {len(todo)} incidents matched "
            f"again, {len(found)} of them name a service"
        )
        if not self.config.infer_services:
            message = f"{len(catalog.services)} services in the catalog; mentions are off"
        return StepOutcome(message, catalog.warnings)


def _write_catalog(conn: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    conn.execute("delete from service_catalog")
    store.append_rows(conn, "service_catalog",
                      ("service", "aliases", "owner", "system", "origin"), catalog.rows())  # fmt: skip


def _match(
    conn: duckdb.DuckDBPyConnection, catalog: Catalog, todo: pd.DataFrame
) -> dict[str, list[Mention]]:
    """incident_id -> mentions, for the pending incidents that state no service."""
    matcher = MentionMatcher(catalog.services)
    found = {iid: matcher.find(texts) for iid, texts in unstated_texts(conn, todo, MENTIONED)}
    return {iid: mentions for iid, mentions in found.items() if mentions}
