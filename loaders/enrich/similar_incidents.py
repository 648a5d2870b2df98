"""The sync step that writes `similar_incidents`, `themes` and `incident_themes` (SPEC §3).

It runs over the whole store after the sources, since TF-IDF weighs each word by how rare
it is across every post-mortem. A fingerprint of its inputs (the texts, the threshold and
this code) is kept in `enrichment_state`: a sync that changed nothing recomputes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

if TYPE_CHECKING:
    from loaders.enrich import themes
    from loaders.enrich.similarity import Pair

NAME = "similar incidents"
# The code that computes the step's tables, read as files: importing it loads scikit-learn
# (~90 MB and a second or two), which a sync that changed nothing does not need.
_CODE = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in ("similarity.py", "themes.py"))
).hexdigest()[:16]
TEXTS = """
select incident_id,
       coalesce(title, '') as title,
       coalesce(summary, '') as summary,
       concat_ws(chr(10), root_cause, contributing_factors) as causes,
       coalesce(started_at, cast(incident_date as timestamp)) as began_at
from incidents
order by incident_id
"""


@dataclass(slots=True)
class SimilarIncidents:
    """Similar pairs at or above `threshold`, their groups, and themes."""

    threshold: float
    name: str = NAME

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> str:
        settings = f"{_CODE}:{self.threshold}"
        stored = conn.execute(
            "select fingerprint from enrichment_state where step = ?", [self.name]
        ).fetchall()
        if not changed and stored and stored[0][0].startswith(settings + ":"):
            return "unchanged"
        # The texts' digest is worked out by DuckDB: a sync that changed other things need
        # not bring 10,000 post-mortems' text into Python to learn these did not change.
        count, digest = conn.execute(
            f"select count(*), bit_xor(hash(*columns(*))) from ({TEXTS})"  # a constant
        ).fetchone() or (0, None)
        fingerprint = f"{settings}:{count}:{digest}"
        if stored and stored[0][0] == fingerprint:
            return "unchanged"
        texts = Texts.read(conn)
        pairs, found = _compute(texts, self.threshold)
        _write(conn, texts, pairs, found)
        conn.execute(
            "insert or replace into enrichment_state values (?, ?)", [self.name, fingerprint]
        )
        linked = len({p.incident_id for p in pairs})
        return (
            f"{len(pairs) // 2} similar pairs over {linked} of {len(texts.incident_id)} incidents "
            f"(similarity ≥ {self.threshold}); {len(found)} themes"
        )


@dataclass(slots=True)
class Texts:
    """The columns of TEXTS, in its order. Lists, not a DataFrame: a frame of 10,000
    post-mortems' texts held about 70 MB more."""

    incident_id: list[str]
    title: list[str]
    summary: list[str]
    causes: list[str]
    began_at: list[datetime | None]

    @classmethod
    def read(cls, conn: duckdb.DuckDBPyConnection) -> Texts:
        rows = conn.execute(TEXTS).fetchall()
        if not rows:
            return cls([], [], [], [], [])
        return cls(*(list(column) for column in zip(*rows, strict=True)))


def _compute(texts: Texts, threshold: float) -> tuple[list[Pair], list[themes.Theme]]:
    from loaders.enrich import similarity, themes
    from loaders.enrich.similarity import Document

    ids = texts.incident_id
    documents = [
        Document(*row) for row in zip(ids, texts.title, texts.summary, texts.causes, strict=True)
    ]
    vectors = similarity.vectorize(documents)
    pairs = similarity.similar_pairs(vectors, ids, threshold)
    return pairs, themes.find_themes(ids, vectors.causes, vectors.body_terms)


def _write(
    conn: duckdb.DuckDBPyConnection,
    texts: Texts,
    pairs: list[Pair],
    found: list[themes.Theme],
) -> None:
    from loaders.enrich import similarity

    for table in ("similar_incidents", "incident_themes", "themes"):
        conn.execute(f"delete from {table}")  # constant table names
    names = _group_names(texts, similarity.groups(pairs, texts.incident_id))
    _insert(conn, "similar_incidents", pd.DataFrame({
        "incident_id": [p.incident_id for p in pairs],
        "similar_incident_id": [p.similar_incident_id for p in pairs],
        "similarity": [p.similarity for p in pairs],
        "shared_terms": [list(p.shared_terms) for p in pairs],
        "group_id": [names[p.incident_id] for p in pairs],
    }))  # fmt: skip
    _insert(conn, "themes", pd.DataFrame({
        "theme_id": range(1, len(found) + 1),
        "label": [t.label for t in found],
        "terms": [list(t.terms) for t in found],
        "incidents": [len(t.members) for t in found],
    }))  # fmt: skip
    members = [(i, k, w) for k, t in enumerate(found, 1) for i, w in t.members]
    _insert(conn, "incident_themes",
            pd.DataFrame(members, columns=["incident_id", "theme_id", "weight"]))  # fmt: skip


def _group_names(texts: Texts, group_of: dict[str, int]) -> dict[str, str]:
    """Each group is named after its earliest incident's title (a person recognises it);
    a second group whose earliest title is the same gets its id appended."""
    began = dict(zip(texts.incident_id, texts.began_at, strict=True))
    title = dict(zip(texts.incident_id, texts.title, strict=True))
    members: dict[int, list[str]] = {}
    for incident_id, group in group_of.items():
        members.setdefault(group, []).append(incident_id)
    first = {
        group: min(ids, key=lambda i: (began[i] is None, began[i] or datetime.min, i))
        for group, ids in members.items()
    }
    names: dict[int, str] = {}
    taken: set[str] = set()
    for group in sorted(first, key=lambda g: first[g]):
        name = title[first[group]] or first[group]
        if name in taken:
            name = f"{name} ({first[group]})"
        taken.add(name)
        names[group] = name
    return {incident_id: names[group] for incident_id, group in group_of.items()}


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    conn.register("enriched_rows", frame)
    try:
        conn.execute(f"insert into {table} by name select * from enriched_rows")
    finally:
        conn.unregister("enriched_rows")
