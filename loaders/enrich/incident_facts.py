"""Each incident's filter values and short fields in one flat row, kept at sync (SPEC §7).

Every chart starts from the incidents the sidebar selects. Its service and category filters,
and the "how many name a service" counts beside the charts, looked through
`incident_services` and `incident_categories` (a join and a `distinct` per query: 20–40 ms
each at 100,000 incidents, several times per page), and the tables then joined the wide
`incidents` rows back for titles and links. `incident_facts` holds, per incident, what the
filters read: the date, the severity and how it was found, the source, the kind as the
filters see it (`incident` when unstated), its services and its categories split by basis
(the sidebar's basis switch picks which lists count), whether it is similar to another;
and what the Overview's, Data & sources', Incidents' and Triage's tables show of it: title,
web link, status, durations, sections. None of it depends on the filters, so a query
filters and sums these rows and gets what the joins gave (tests/test_incident_facts.py).
Rows are kept in date order: past a row group (122,880 rows) a date range skips the groups
it does not cover.
"""

from __future__ import annotations

import duckdb

# One list per basis (loaders/model BASES: stated, mentioned, inferred, curated), so that a
# query tests "names a service the switch counts" on plain columns; a list of structs
# filtered by a lambda per row costs several times more. The lists keep every link row, in
# name order, so unnesting one gives back the rows of the link table. `service_bases` and
# `category_bases` say which lists hold a value, as bits, for the counts of incidents that
# name one: reading eight list columns for that took twice as long.
KEEP = """
insert into incident_facts
with services as (
    select incident_id,
           list(service order by service) filter (where basis = 'stated') as stated,
           list(service order by service) filter (where basis = 'mentioned') as mentioned,
           list(service order by service) filter (where basis = 'inferred') as inferred,
           list(service order by service) filter (where basis = 'curated') as curated,
           bit_or(case basis when 'stated' then 1 when 'mentioned' then 2
                             when 'inferred' then 4 when 'curated' then 8 end) as bases
    from incident_services group by incident_id
),
categories as (
    select incident_id,
           list(category order by category) filter (where basis = 'stated') as stated,
           list(category order by category) filter (where basis = 'mentioned') as mentioned,
           list(category order by category) filter (where basis = 'inferred') as inferred,
           list(category order by category) filter (where basis = 'curated') as curated,
           bit_or(case basis when 'stated' then 1 when 'mentioned' then 2
                             when 'inferred' then 4 when 'curated' then 8 end) as bases
    from incident_categories group by incident_id
)
select
    i.incident_id,
    i.title,
    case when regexp_matches(i.source_url, '^https?://') then i.source_url end,
    i.status,
    i.incident_date,
    coalesce(i.started_at, cast(i.incident_date as timestamp)),
    i.severity,
    i.severity_rank,
    case
        when i.severity is null then null
        when list_contains(string_split(split_part(
                 coalesce(json_extract_string(i.provenance, '$.curated'), ''), ' (', 1), ', '),
             'severity') then 'curated'
        else 'stated'
    end,
    i.source_name,
    coalesce(i.kind, 'incident'),
    coalesce(s.stated, []), coalesce(s.mentioned, []),
    coalesce(s.inferred, []), coalesce(s.curated, []),
    coalesce(c.stated, []), coalesce(c.mentioned, []),
    coalesce(c.inferred, []), coalesce(c.curated, []),
    coalesce(s.bases, 0),
    coalesce(c.bases, 0),
    i.incident_id in (select incident_id from similar_incidents),
    i.time_to_detect_minutes,
    i.time_to_recover_minutes,
    i.sections
from incidents i
left join services s on s.incident_id = i.incident_id
left join categories c on c.incident_id = i.incident_id
order by i.incident_date, i.incident_id
"""


# The sidebar's choices, asked for by every page: from a few hundred rows, not by grouping
# every incident and link row on each view (9.7-12.8 -> 4.4-6.1 ms at 100,000 incidents).
FILTER_VALUES = """
insert into filter_values
select 'severity', coalesce(severity, 'unrated'), min(coalesce(severity_rank, 1000000))
from incidents group by all
union all
select 'service', service, 0 from incident_services group by all
union all
select 'category', category, 0 from incident_categories group by all
union all
select 'source', source_name, 0 from incidents group by all
"""


def keep_incident_facts(conn: duckdb.DuckDBPyConnection) -> int:
    """Rewrite `incident_facts` from the incidents and their links, and `filter_values`;
    return the row count of `incident_facts`."""
    conn.execute("delete from incident_facts")
    conn.execute(KEEP)
    conn.execute("delete from filter_values")
    conn.execute(FILTER_VALUES)
    (rows,) = conn.execute("select count(*) from incident_facts").fetchone() or (0,)
    return int(rows)
