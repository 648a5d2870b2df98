"""What the repeat queries need from the whole history, kept once per sync (SPEC §6).

An incident is a repeat when an earlier incident with the same value of the repeat dimension
began within the window before it. Worked out on every view, that is a window over every
incident of the store per query (the earlier incident may lie outside the selected period),
and the Overview, Recurrence and Quarterly review pages each ran several of them: seconds
at 100,000 incidents.

`incident_recurrence` holds one row per dated incident and value of each dimension
(service, category, the service × category pair, the group of similar incidents) with what
the dashboard's filters can change about it: the incident's kind and the basis of its
service and category (the sidebar counts drills, near misses, mentioned or inferred values
or not). Which incident is "the earlier one" depends on those filters too, so `earlier`
keeps, for every such class of incidents with the same value, the latest one that began
before this one (in the order of start time, then incident id; for `similar`, the latest
earlier incident similar to this one itself). A query picks the latest of the classes its
filters count and compares it with its window: no window over the history, and the window
length stays a setting of the dashboard rather than of the sync.

Déjà vu needs more than the latest earlier incident: of the incidents with the same value
that began in the window before this one, the one whose action items stayed not done
longest. That depends on the window, so `pending_earlier` keeps it per class for the
`[recurrence] window_days` of the sync (`deja_vu_window_days`): the two windows over every
incident that the déjà vu query ran on every view (1.5 s of its 3 s at 100,000 incidents)
run once per sync. A dashboard whose window differs says to sync again.

Reading those lists for the selection in hand is itself most of a repeat query's time at
100,000 incidents (a lambda over every row, twice in déjà vu). The sidebar's default
selection (incidents, every basis) is what nearly every view asks for, so each row also
keeps what the lists give for it: `default_earlier_at` and `default_pending`; and, for Fix
held?, `default_next`: the first incident of that selection with the same value that began
after this incident's action items were all done (a window here instead of pairing every
fixed incident with every later one on each view). A query reads them when the view's kinds
and bases are the default ones, and works from the lists and rows otherwise.

Recurring patterns depend on every filter (an incident outside the period is in no window),
so only the default selection with no other filter is kept, for the sync's window and
`[recurrence] threshold`: `default_pattern_window`, non-NULL for the rows in a pattern.
The Recurrence page's two pattern tables ran three windows over every incident of the
dimension each (95 and 85 ms at 100,000 incidents); reading these rows takes 12 and 26.
"""

from __future__ import annotations

import duckdb

from loaders.model import BASES, DEFAULT_KINDS

KEEP = """
insert into incident_recurrence
with dated as (
    select incident_id, coalesce(started_at, cast(incident_date as timestamp)) as began_at,
           coalesce(kind, 'incident') as kind
    from incidents
    where coalesce(started_at, cast(incident_date as timestamp)) is not null
),
dimension_values as materialized (
    select distinct 'service' as dim, service as value, service, null::varchar as category,
           incident_id, basis as service_basis, null::varchar as category_basis
    from incident_services
    union all
    select distinct 'category', category, null, category, incident_id, null, basis
    from incident_categories
    union all
    select distinct 'service_category', s.service || ' × ' || c.category, s.service,
           c.category, s.incident_id, s.basis, c.basis
    from incident_services s
    join incident_categories c on c.incident_id = s.incident_id
    union all
    select distinct 'similar', group_id, null, null, incident_id, null, null
    from similar_incidents
),
class_numbers as (
    select class, row_number() over () as class_no
    from (select distinct {'kind': d.kind, 'service_basis': v.service_basis,
                           'category_basis': v.category_basis} as class
          from dimension_values v join dated d on d.incident_id = v.incident_id)
),
valued as materialized (
    -- Numbers for each row, value and class: the windows and the grouping below sort and
    -- hash integers instead of strings and structs (half this step's time at 10,000).
    select v.*, d.began_at, d.kind, c.class, c.class_no,
           row_number() over () as row_no,
           dense_rank() over (order by v.dim, v.value) as value_no,
           -- The order of the rows of a value, which the pattern windows sort by.
           row_number() over (partition by v.dim, v.value order by d.began_at, v.incident_id)
               as seq,
           -- Until when an action item of it stayed not done (loaders/enrich/dashboard_facts.py).
           case when p.pending_until is not null
                then {'until': p.pending_until, 'at': d.began_at, 'id': v.incident_id} end
               as pending,
           p.fixed_at  -- when the last of its items closed, if all are done (Fix held?)
    from dimension_values v
    join dated d on d.incident_id = v.incident_id
    join class_numbers c
      on c.class = {'kind': d.kind, 'service_basis': v.service_basis,
                    'category_basis': v.category_basis}
    left join incident_item_counts p on p.incident_id = v.incident_id
),
classes as (
    select distinct value_no, class_no, class from valued where dim <> 'similar'
),
latest_of_class as (
    -- Every row paired with every class of its value: the last row of that class before it
    -- (in the order of began_at, incident_id) is its latest earlier incident.
    select r.row_no, r.began_at, k.class,
           last_value(case when r.class_no = k.class_no
                           then {'began_at': r.began_at, 'incident_id': r.incident_id} end
                      ignore nulls) over (
               partition by r.value_no, k.class_no order by r.began_at, r.incident_id
               rows between unbounded preceding and 1 preceding) as latest,
           -- Déjà vu: of the class's incidents in the window before this one, the one whose
           -- items stayed not done longest; those that began earlier, then those that began
           -- at the same time but come first in the id order.
           greatest(
               max(case when r.class_no = k.class_no then r.pending end) over (
                   partition by r.value_no, k.class_no order by r.began_at
                   range between to_days(cast($window_days as integer)) preceding
                             and interval 1 microsecond preceding),
               max(case when r.class_no = k.class_no then r.pending end) over (
                   partition by r.value_no, k.class_no, r.began_at order by r.incident_id
                   rows between unbounded preceding and 1 preceding)) as pending
    from valued r
    join classes k on k.value_no = r.value_no
    union all
    -- `similar`: only the incidents similar to this one itself, not its whole group.
    select me.row_no, me.began_at, o.class,
           max({'began_at': o.began_at, 'incident_id': o.incident_id}),
           max(o.pending) filter (
               where o.began_at >= me.began_at - to_days(cast($window_days as integer)))
    from valued me
    join similar_incidents s on s.incident_id = me.incident_id
    join (select distinct incident_id, began_at, class, pending
          from valued where dim = 'similar') o
      on o.incident_id = s.similar_incident_id
    where me.dim = 'similar' and (o.began_at, o.incident_id) < (me.began_at, me.incident_id)
    group by all
),
earlier as (
    select row_no,
           -- Sorted after the aggregate: an ordered aggregate took most of this step's time.
           list_sort(list(struct_insert(class, began_at := latest.began_at,
                                        incident_id := latest.incident_id))
                     filter (where latest is not null)) as earlier,
           list_sort(list(struct_insert(class, until := pending.until, began_at := pending.at,
                                        incident_id := pending.id))
                     filter (where pending.until > began_at)) as pending_earlier
    from latest_of_class
    group by all
),
fix_timeline as (
    -- Fix held? (queries/fix_held.sql): the rows the default selection counts, and for each
    -- row of an incident whose items are all done a probe at when the last one closed,
    -- ordered after the rows that began at that very time (only later ones count).
    select value_no, began_at as moment, 0 as probe, row_no, incident_id,
           {'began_at': began_at, 'incident_id': incident_id} as incident
    from valued
    where {DEFAULT_ROW}
    union all
    select value_no, fixed_at, 1, row_no, incident_id, null
    from valued
    where fixed_at is not null
),
default_patterns as (
    -- Recurring patterns of the default selection with no other filter, for the sync's
    -- window and threshold: queries/_pattern_members.sql and recurring_patterns.sql, their
    -- very windows, on the rows that selection counts. The Recurrence page's two pattern
    -- tables read these instead of three windows over every incident of the dimension.
    select row_no,
           count(*) over (
               partition by value_no order by began_at
               range between current row and to_days(cast($window_days as integer)) following
           ) as in_window
    from (
        select *,
               max(case when anchors then began_at end) over (
                   partition by value_no order by seq
                   rows between unbounded preceding and current row
               ) as last_anchor_at
        from (
            select row_no, value_no, seq, began_at,
                   lead(began_at, greatest(cast($threshold as integer) - 1, 0)) over (
                       partition by value_no order by seq
                   ) <= began_at + to_days(cast($window_days as integer)) as anchors
            from valued
            where {DEFAULT_ROW}
        ) anchored
    ) held
    where last_anchor_at >= began_at - to_days(cast($window_days as integer))
),
next_after_fix as (
    -- The first of the rows after each probe that is not the incident itself.
    select row_no, case when first.incident_id <> incident_id then first else second end as next
    from (
        select row_no, incident_id, probe,
               first_value(incident ignore nulls) over later as first,
               nth_value(incident, 2 ignore nulls) over later as second
        from fix_timeline
        window later as (partition by value_no order by moment, probe, incident_id
                         rows between 1 following and unbounded following)
    ) probes
    where probe = 1
)
select r.dim, r.value, r.service, r.category, r.incident_id, r.began_at, r.kind,
       r.service_basis, r.category_basis, coalesce(e.earlier, []) as earlier,
       coalesce(e.pending_earlier, []) as pending_earlier,
       cast($window_days as integer) as deja_vu_window_days,
       r.value_no,
       r.seq,
       -- What queries/_repeats.sql and deja_vu.sql read from the lists for the default
       -- selection, with their very expressions.
       list_max(list_transform(list_filter(e.earlier, lambda x: {DEFAULT}),
                               lambda x: x.began_at)) as default_earlier_at,
       list_max(list_transform(list_filter(e.pending_earlier, lambda x: {DEFAULT}),
                               lambda x: {'until': x.until, 'began_at': x.began_at,
                                          'incident_id': x.incident_id})) as default_pending,
       n.next as default_next,
       cast(d.in_window as integer) as default_pattern_window,
       cast($threshold as integer) as pattern_threshold
from valued r
left join earlier e on e.row_no = r.row_no
left join next_after_fix n on n.row_no = r.row_no
left join default_patterns d on d.row_no = r.row_no
-- A page reads one dimension at a time: stored together, its rows are read alone.
order by r.value_no, r.seq
"""


# An entry of `earlier` or `pending_earlier` (x.), or a row (no prefix), the default
# selection counts.
COUNTED_BY_DEFAULT = """list_contains(cast($default_kinds as varchar[]), {x}kind)
    and ({x}service_basis is null
         or list_contains(cast($default_bases as varchar[]), {x}service_basis))
    and ({x}category_basis is null
         or list_contains(cast($default_bases as varchar[]), {x}category_basis))"""


def keep_incident_recurrence(
    conn: duckdb.DuckDBPyConnection, window_days: int, threshold: int
) -> int:
    """Rewrite `incident_recurrence` from the incidents, their services, categories, similar
    incidents and items not done as they are now, déjà vu for a window of `window_days`,
    the default selection's recurring patterns for that window and `threshold`; how many
    rows it holds."""
    conn.execute("delete from incident_recurrence")
    conn.execute(
        KEEP.replace("{DEFAULT}", COUNTED_BY_DEFAULT.format(x="x.")).replace(
            "{DEFAULT_ROW}", COUNTED_BY_DEFAULT.format(x="")
        ),
        {"window_days": window_days, "threshold": threshold,
         "default_kinds": list(DEFAULT_KINDS), "default_bases": list(BASES)},
    )  # fmt: skip
    (rows,) = conn.execute("select count(*) from incident_recurrence").fetchone() or (0,)
    return int(rows)
