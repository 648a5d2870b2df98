"""The last step of a sync: what the dashboard would otherwise work out on every view.

`incident_item_counts` holds each incident's action items by status, how long one of them
stayed not done and which ones, until when (déjà vu), and when the last of them closed when
all are done (Fix held?);
`vague_action_items` the items whose title the vague-item rule flags (loaders/hygiene.py,
the rule `pmdash lint` uses), with its reason; `action_item_facts` each item with its
incident's filter columns and what the Action items page counts it by;
`incident_recurrence` each incident's values of the repeat dimensions and its earlier
incidents (loaders/enrich/recurrence_facts.py); `incident_facts` each incident's filter
values and short fields, flat (loaders/enrich/incident_facts.py).
The first three depend on an item and its incident
only, never on the dashboard's filters, so a page filters and sums them and gets what the
whole computation gave. The step runs after the trackers, whose answers set an item's
effective status, and rewrites the tables on every sync that changed what they are worked
out from (two seconds or so at 500,000 items: every title is judged once however many items
share it). A fingerprint of everything the step reads (its input tables, this code, the
window) is kept in `enrichment_state`, so a sync that changed nothing (`make bench` P2) keeps
the tables as they are.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd

from loaders.config import Config
from loaders.enrich.incident_facts import keep_incident_facts
from loaders.enrich.recurrence_facts import keep_incident_recurrence
from loaders.hygiene import MIN_WORDS, VAGUE_VERBS, vague_reason
from loaders.store import SCHEMA

NAME = "dashboard facts"
DEFAULT_WINDOW_DAYS = Config().window_days
DEFAULT_THRESHOLD = Config().threshold
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
# rule, the model (the default selection the recurrence facts are kept for: DEFAULT_KINDS,
# BASES) and the schema the tables are written in.
_HERE = Path(__file__).resolve().parent
_CODE = hashlib.sha256(
    b"".join(
        p.read_bytes()
        for p in [
            *sorted(_HERE.glob("*.py")),
            _HERE.parent / "hygiene.py",
            _HERE.parent / "model.py",
        ]
    )
    + SCHEMA.encode()
).hexdigest()[:16]
VAGUE_START = r"^[\s\p{Z}]*(?:" + "|".join(re.escape(v) for v in VAGUE_VERBS) + ")"
# One row per action item for the Action items page (README, the store): each value here is
# what a page query used to work out per item on every view, after joining the item to its
# incident (_filtered_items.sql, _items_as_of.sql). Overdue on a day D (SPEC §6) is: due
# before D, opened on or before D, and open or in progress on D (done items until the day
# they closed), so it is the days overdue_from <= D < overdue_until; no day is baked in.
ITEM_FACTS = """
insert into action_item_facts
with items as (
    select
        a.action_item_id, a.incident_id, i.incident_date,
        coalesce(i.severity, 'unrated') as severity, i.source_name as source,
        coalesce(i.kind, 'incident') as kind, a.status, a.status_basis, a.owner, a.due_date,
        a.title, a.ticket, a.ticket_url, a.tracker_kind, a.document_status, a.tracker_status,
        a.tracker_checked_at, i.title as incident_title, i.source_url as incident_url,
        coalesce(cast(a.created_at as date), i.incident_date) as opened_on,
        cast(a.closed_at as date) as closed_on,
        a.ticket is not null as has_ticket,
        a.ticket is not null or a.ticket_url is not null as has_ticket_or_url,
        a.tracker_state is not null as asked_a_tracker,
        case
            when a.tracker_state = 'not_found' then 'tracker does not know the ticket'
            when a.tracker_state = 'forbidden' then 'tracker refuses to show the ticket'
            when a.tracker_state = 'found' and a.document_status = 'done'
                 and a.tracker_status in ('open', 'in_progress')
                then 'done in the document, open in the tracker'
            when a.tracker_state = 'found' and a.document_status in ('open', 'in_progress')
                 and a.tracker_status in ('done', 'wont_do')
                then 'open in the document, closed in the tracker'
        end as drift,
        v.reason as vague_reason,
        coalesce(s.services, []) as services,
        coalesce(c.categories, []) as categories
    from action_items a
    join incidents i on i.incident_id = a.incident_id
    left join vague_action_items v on v.action_item_id = a.action_item_id
    left join (
        select incident_id, list({'service': service, 'basis': basis}) as services
        from incident_services group by incident_id
    ) s on s.incident_id = a.incident_id
    left join (
        select incident_id, list({'category': category, 'basis': basis}) as categories
        from incident_categories group by incident_id
    ) c on c.incident_id = a.incident_id
),
-- The orders of the page's lists numbered once over all items: any selection of them keeps
-- them, so a list sorts one number and reads the titles of the rows it shows only. item_no:
-- the vague-item list's (newest incident first, then id), and the table is stored in it;
-- due_rank: the overdue list's (due date, then id); drift_rank: the drift table's.
orders as (
    select action_item_id,
           row_number() over (order by incident_date desc nulls last, action_item_id) as item_no,
           case when due_date is not null
                then row_number() over (partition by due_date is null
                                        order by due_date, action_item_id) end as due_rank
    from items
),
drift_ranks as (
    select action_item_id,
           row_number() over (order by drift, incident_date desc nulls last, incident_title,
                                       title, action_item_id) as drift_rank
    from items
    where drift is not null
)
select
    item_no,
    action_item_id, incident_id, incident_date, severity, source, kind, services, categories,
    status, status_basis,
    owner, due_date, title is not null, opened_on,
    strftime(opened_on, '%Y') || 'Q' || quarter(opened_on),
    closed_on,
    case when status = 'done' then date_diff('day', opened_on, closed_on) end,
    case when status = 'done' then closed_on <= due_date end,
    case when due_date is not null
              and (status in ('open', 'in_progress') or (status = 'done' and closed_on is not null))
         -- greatest() skips a NULL opened_on: then only the due date counts.
         then greatest(due_date + 1, opened_on) end,
    case when status = 'done' then closed_on else date 'infinity' end,
    has_ticket, has_ticket_or_url, asked_a_tracker, drift, drift_rank, due_rank,
    vague_reason,
    title, ticket, ticket_url, tracker_kind, document_status, tracker_status, tracker_checked_at,
    incident_title, incident_url
from items
join orders using (action_item_id)
left join drift_ranks using (action_item_id)
-- Stored in the vague list's order, which is by incident date: a date range, or the first
-- rows of that list, read only the row groups they need.
order by item_no
"""


class DashboardFacts:
    name = NAME

    def __init__(
        self, window_days: int = DEFAULT_WINDOW_DAYS, threshold: int = DEFAULT_THRESHOLD
    ) -> None:
        self.window_days = window_days  # `[recurrence] window_days`, for déjà vu and patterns
        self.threshold = threshold  # `[recurrence] threshold`, for the default patterns

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
        # One DuckDB thread while the tables are rebuilt: each thread keeps hash tables and
        # sort runs of its own, and the second one added about 70 MB to the peak memory of a
        # 10,000-document sync (SPEC §9 P5), which this step set.
        conn.execute("set threads = 1")
        try:
            return self._rebuild(conn)
        finally:
            conn.execute("reset threads")  # the writer never sets it: back to DuckDB's default

    def _rebuild(self, conn: duckdb.DuckDBPyConnection) -> str:
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
        conn.execute("delete from action_item_facts")
        conn.execute(ITEM_FACTS)
        (incidents,) = conn.execute("select count(*) from incident_item_counts").fetchone() or (0,)
        (vague,) = conn.execute("select count(*) from vague_action_items").fetchone() or (0,)
        # Services, categories, kinds and similar incidents can change in any step before.
        values = keep_incident_recurrence(conn, self.window_days, self.threshold)
        keep_incident_facts(conn)  # the sidebar's filter values per incident, flat
        return (
            f"action items counted for {incidents} incidents; {vague} vague items; "
            f"{values} incident × repeat dimension values"
        )

    def _fingerprint(self, conn: duckdb.DuckDBPyConnection) -> str:
        counts = [
            # Table names and column lists are this module's constants (INPUT_TABLES).
            conn.execute(
                f"select count(*), bit_xor(hash({columns})) from {table}"  # constants
            ).fetchone()
            for table, columns in INPUT_TABLES.items()
        ]
        return f"{_CODE}:{self.window_days}:{self.threshold}:{counts}"
