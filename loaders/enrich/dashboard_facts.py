"""The last step of a sync: what the dashboard would otherwise work out on every view.

`incident_item_counts` holds each incident's action items by status, how long one of them
stayed not done and which ones, until when (déjà vu), and when the last of them closed when
all are done (Fix held?);
`vague_action_items` the items whose title the vague-item rule flags (loaders/hygiene.py,
the rule `pmdash lint` uses), with its reason; `incident_recurrence` each incident's values
of the repeat dimensions and its earlier incidents (loaders/enrich/recurrence_facts.py).
The first two depend on an item and its incident
only, never on the dashboard's filters, so a page filters and sums them and gets what the
whole computation gave. The step runs after the trackers, whose answers set an item's
effective status, and rewrites both tables on every sync (a second or so at 500,000 items:
every title is judged once however many items share it). A fingerprint of everything the
step reads (its input tables, this code, the window) is kept in `enrichment_state`, so a sync
that changed nothing (`make bench` P2) keeps the tables as they are.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd

from loaders.config import Config
from loaders.enrich.recurrence_facts import keep_incident_recurrence
from loaders.hygiene import MIN_WORDS, VAGUE_VERBS, vague_reason
from loaders.store import SCHEMA

NAME = "dashboard facts"
DEFAULT_WINDOW_DAYS = Config().window_days
COUNTS = """
insert into incident_item_counts
select
    incident_id,
    count(*),
    count(*) filter (where status = 'done'),
    count(*) filter (where status = 'open'),
    count(*) filter (where status = 'in_progress'),
    count(*) filter (where status = 'wont_do'),
    count(*) filter (where status = 'unknown'),
    max(case when status in ('open', 'in_progress') then timestamp 'infinity'
             when status = 'done' then closed_at end),
    case when bool_and(status = 'done' and closed_at is not null) then max(closed_at) end,
    coalesce(list({'title': title,
                   'open_until': case when status = 'done' then closed_at
                                      else timestamp 'infinity' end} order by title)
             filter (where status in ('open', 'in_progress')
                        or (status = 'done' and closed_at is not null)), [])
from action_items
group by incident_id
"""
# The titles the rule might flag: fewer than MIN_WORDS words or a vague verb at the start.
# Only tokens with an ASCII letter or digit count as words here, never more than the rule
# counts, so no vague title is left out; the rule then judges each candidate once.
CANDIDATES = """
select distinct title
from action_items
where len(regexp_extract_all(coalesce(title, ''), '[^\\s]*[A-Za-z0-9][^\\s]*')) < $min_words
   or regexp_matches(lower(title), $vague_start)
"""
# The tables the facts are worked out from, each hashed row by row. The incidents leave out
# their long texts, which no fact reads and which cannot change without `content_hash`.
INPUT_TABLES = {
    "incidents": "*columns(* exclude (summary, root_cause, contributing_factors, customer_impact))",
    "incident_services": "*columns(*)",
    "incident_categories": "*columns(*)",
    "incident_tags": "*columns(*)",
    "action_items": "*columns(*)",
    "similar_incidents": "*columns(*)",
    "themes": "*columns(*)",
    "incident_themes": "*columns(*)",
}
# The code that decides the facts: this package (the rules live beside it), the vague-item
# rule and the schema the tables are written in.
_HERE = Path(__file__).resolve().parent
_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in [*sorted(_HERE.glob("*.py")), _HERE.parent / "hygiene.py"])
    + SCHEMA.encode()
).hexdigest()[:16]
VAGUE_START = r"^[\s\p{Z}]*(?:" + "|".join(re.escape(v) for v in VAGUE_VERBS) + ")"


class DashboardFacts:
    name = NAME

    def __init__(self, window_days: int = DEFAULT_WINDOW_DAYS) -> None:
        self.window_days = window_days  # `[recurrence] window_days`, for déjà vu

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> str:
        # Trackers and the curation file can change the inputs without any document
        # changing, so `changed` is not enough: the inputs themselves are compared.
        fingerprint = self._fingerprint(conn)
        stored = conn.execute(
            "select fingerprint from enrichment_state where step = ?", [self.name]
        ).fetchall()
        if stored and stored[0][0] == fingerprint:
            return "unchanged: no document, value or action item changed since the last sync"
        conn.execute(
            "insert or replace into enrichment_state values (?, ?)", [self.name, fingerprint]
        )
        conn.execute("delete from incident_item_counts")
        conn.execute(COUNTS)
        titles = conn.execute(
            CANDIDATES, {"min_words": MIN_WORDS, "vague_start": VAGUE_START}
        ).fetchall()
        # A NULL title is judged as an empty one: fewer than MIN_WORDS words.
        reasons = {t: r for (t,) in titles if (r := vague_reason(t))}
        conn.execute("delete from vague_action_items")
        judged = pd.DataFrame(
            {"title": list(reasons), "reason": list(reasons.values())}, dtype="object"
        )
        conn.register("judged_titles", judged)
        try:
            conn.execute(
                "insert into vague_action_items "
                "select a.action_item_id, a.incident_id, j.reason from action_items a "
                "join judged_titles j on j.title is not distinct from a.title"
            )
        finally:
            conn.unregister("judged_titles")
        (incidents,) = conn.execute("select count(*) from incident_item_counts").fetchone() or (0,)
        (vague,) = conn.execute("select count(*) from vague_action_items").fetchone() or (0,)
        # Services, categories, kinds and similar incidents can change in any step before.
        values = keep_incident_recurrence(conn, self.window_days)
        return (
            f"action items counted for {incidents} incidents; {vague} vague items; "
            f"{values} incident × repeat dimension values"
        )

    def _fingerprint(self, conn: duckdb.DuckDBPyConnection) -> str:
        # Table names and column lists are this module's constants (INPUT_TABLES).
        counts = [
            conn.execute(f"select count(*), bit_xor(hash({columns})) from {table}").fetchone()
            for table, columns in INPUT_TABLES.items()
        ]
        return f"{_CODE}:{self.window_days}:{counts}"
