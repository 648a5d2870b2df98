-- The incidents of each recurring pattern, with their action items: how many, how many done.
-- uses: filtered_facts, incident_values, pattern_members
-- Params: the filters; $dim; $window_days; $threshold; $kept_patterns; $active_from (DATE or NULL);
--         $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with kept as materialized (
    -- Materialized: counted and cut below, worked out once.
    select m.*
    from pattern_members m
    where cast($active_from as date) is null
       or m.value_no in (select value_no from pattern_members group by value_no
                         having max(began_at) >= cast(cast($active_from as date) as timestamp))
),
chosen as (
    -- Cut to $first_rows before names, titles and item counts are joined: at 100,000
    -- incidents nearly every one belongs to a pattern. (`value_no`, `seq`) orders as the
    -- value, then start and id.
    select value_no, seq, (select count(*) from kept) as pmdash_rows_in_all
    from kept
    order by value_no, seq
    limit cast($first_rows as bigint)
)
select
    r.value,
    i.incident_id,
    i.title,
    i.incident_date,
    coalesce(i.severity, 'unrated') as severity,  -- severity_label of filtered_facts
    i.url,
    coalesce(a.items, 0) as action_items,
    coalesce(a.done, 0) as action_items_done,
    m.pmdash_rows_in_all
from chosen m
join incident_recurrence r on r.value_no = m.value_no and r.seq = m.seq
-- The members are selected incidents already: their titles and links straight from
-- `incident_facts`, not from filtered_facts a second time, which DuckDB would drag through
-- the windows of pattern_members.
join incident_facts i on i.incident_id = r.incident_id
left join incident_item_counts a on a.incident_id = i.incident_id
order by m.value_no, m.seq
