"""The taxonomy step: give every incident that states no category at most two categories of
the taxonomy its text matches well (`basis = 'inferred'`, SPEC §4.5), with the phrases
matched in the provenance key `categories_inferred`.

Like the catalog step, it redoes only re-loaded incidents, or all when the taxonomy changed.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from loaders.config import Config
from loaders.enrich.marks import INFERRED, fingerprint, pending, save, unstated_texts
from loaders.enrich.taxonomy import (
    MAX_CATEGORIES,
    MIN_SCORE,
    Inference,
    TaxonomyMatcher,
    taxonomy_for,
)
from loaders.normalize import Normalizer

RULES_VERSION = 3  # 2: contributing factors are read too; 3: time phrases narrowed  # bump when the scoring changes, so stores are matched again


class TaxonomyStep:
    name = "taxonomy"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.taxonomy = taxonomy_for(config.default_taxonomy, config.taxonomy)

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> str:
        infer = self.config.infer_categories and bool(self.taxonomy)
        settings = fingerprint(
            self.taxonomy if infer else "off", RULES_VERSION, MIN_SCORE, MAX_CATEGORIES
        )
        todo = pending(conn, self.name, settings)
        found = self._infer(conn, todo) if infer and not todo.empty else {}
        normalizer = Normalizer(self.config)
        values = {
            iid: [(normalizer.category(f.category), f.category) for f in inferred]
            for iid, inferred in found.items()
        }
        described = {iid: "; ".join(f.describe() for f in fs) for iid, fs in found.items()}
        save(conn, self.name, settings, todo, INFERRED, values, described)
        if not infer:
            return "category inference is off"
        return (
            f"{len(self.taxonomy)} categories in the taxonomy; {len(todo)} incidents matched "
            f"again, {len(found)} of them got a category"
        )

    def _infer(
        self, conn: duckdb.DuckDBPyConnection, todo: pd.DataFrame
    ) -> dict[str, list[Inference]]:
        matcher = TaxonomyMatcher(self.taxonomy)
        found = {}
        for iid, texts in unstated_texts(conn, todo, INFERRED):
            title = texts.pop("title")
            inferred = matcher.infer(title, "\n".join(t for t in texts.values() if t))
            if inferred:
                found[iid] = inferred
        return found
