-- Fix held? (SPEC §6): for each selected incident whose action items are all done with a
-- closing time, whether an incident with the same value of the repeat dimension began after
-- the last of them closed, within $window_days. `held`: 'no' (and the first such incident),
-- 'yes' when the whole window passed without one by $as_of, 'so far' while it is still open.
-- Incidents with no value of the dimension, or no date, cannot be judged and are left out.
-- uses: selected_values
-- Params: the filters; $dim; $window_days (INTEGER); $as_of (DATE);
--         $default_selection (BOOLEAN: the filters' kinds and bases are the default ones);
--         $unfiltered (BOOLEAN: and no other filter; see queries/recurrence.py)
with fixed as materialized (
    -- `fixed_at` is counted once per sync (loaders/enrich/dashboard_facts.py).
    select c.incident_id, c.fixed_at, c.items, v.value, v.value_no, v.default_next
    from incident_item_counts c
    join selected_values v on v.incident_id = c.incident_id
    where c.fixed_at is not null
),
struck as (
    -- The first incident (by start, then id, then value) that struck after the fix, within
    -- the window. For the default selection the sync kept each row's first later incident
    -- (`default_next`); otherwise the least of the later rows, found by grouping.
    select incident_id, min(first) as first
    from (
        select f.incident_id,
               {'began_at': f.default_next.began_at, 'incident_id': f.default_next.incident_id,
                'value': f.value} as first
        from fixed f
        where cast($default_selection as boolean)
          and f.default_next.began_at
              <= f.fixed_at + to_days(cast($window_days as integer))
        union all
        select f.incident_id,
               {'began_at': later.began_at, 'incident_id': later.incident_id, 'value': f.value}
        from fixed f
        join incident_values later
            on later.value_no = f.value_no
           and later.incident_id <> f.incident_id
           and later.began_at > f.fixed_at
           and later.began_at <= f.fixed_at + to_days(cast($window_days as integer))
        where not cast($default_selection as boolean)
    ) later_ones
    group by incident_id
),
judged as (
    select incident_id, any_value(fixed_at) as fixed_at, any_value(items) as items
    from fixed
    group by incident_id
)
select
    i.incident_id,
    i.title,
    i.incident_date,
    coalesce(i.severity, 'unrated') as severity,  -- severity_label of filtered_facts
    f.items,
    cast(f.fixed_at as date) as fixed_on,
    case
        when s.first is not null then 'no'
        when cast(f.fixed_at as date) + cast($window_days as integer) <= cast($as_of as date)
            then 'yes'
        else 'so far'
    end as held,
    s.first.value as struck_again_by,
    r.title as repeat_title,
    cast(s.first.began_at as date) as repeat_date,
    i.url
from judged f
-- Selected incidents already (`fixed`): their titles and links straight from
-- `incident_facts`, not from filtered_facts a second time, which DuckDB would keep whole.
join incident_facts i on i.incident_id = f.incident_id
left join struck s on s.incident_id = f.incident_id
left join incident_facts r on r.incident_id = s.first.incident_id
order by held, fixed_on desc, i.incident_id
