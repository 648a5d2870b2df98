-- The incidents of each recurring pattern, with their action items: how many, how many done.
-- uses: filtered_incidents, incident_values, pattern_members
-- Params: the filters; $dim; $window_days; $threshold; $active_from (DATE or NULL);
--         $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with kept as (
    select m.*
    from pattern_members m
    where cast($active_from as date) is null
       or m.value in (select value from pattern_members group by value
                      having max(began_at) >= cast(cast($active_from as date) as timestamp))
),
chosen as (
    -- Cut to $first_rows before the titles and item counts are joined: at 100,000
    -- incidents nearly every one belongs to a pattern.
    select *, count(*) over () as pmdash_rows_in_all
    from kept
    order by value, began_at, incident_id
    limit cast($first_rows as bigint)
)
select
    m.value,
    i.incident_id,
    i.title,
    i.incident_date,
    coalesce(i.severity, 'unrated') as severity,  -- severity_label of filtered_incidents
    case when regexp_matches(i.source_url, '^https?://') then i.source_url end as url,
    coalesce(a.items, 0) as action_items,
    coalesce(a.done, 0) as action_items_done,
    m.pmdash_rows_in_all
from chosen m
-- The members are selected incidents already. Read from `incidents`, not from
-- filtered_incidents a second time: DuckDB would keep that whole, titles and all, and drag
-- it through the windows of pattern_members (four fifths of this query's time).
join incidents i on i.incident_id = m.incident_id
left join incident_item_counts a on a.incident_id = i.incident_id
order by m.value, m.began_at, i.incident_id
