-- Fix held? (SPEC §6): for each selected incident whose action items are all done with a
-- closing time, whether an incident with the same value of the repeat dimension began after
-- the last of them closed, within $window_days. `held`: 'no' (and the first such incident),
-- 'yes' when the whole window passed without one by $as_of, 'so far' while it is still open.
-- Incidents with no value of the dimension, or no date, cannot be judged and are left out.
-- uses: filtered_incidents, incident_values
-- Params: the filters; $dim; $window_days (INTEGER); $as_of (DATE)
with fixed as (
    -- `fixed_at` is counted once per sync (loaders/enrich/dashboard_facts.py).
    select incident_id, fixed_at, items from incident_item_counts where fixed_at is not null
),
judged as (
    select distinct v.incident_id
    from incident_values v
    where v.began_at is not null
),
struck as (
    select
        f.incident_id,
        v.value,
        later.incident_id as repeat_id,
        later.began_at as repeat_began_at,
        row_number() over (partition by f.incident_id
                           order by later.began_at, later.incident_id, v.value)
            as nth
    from fixed f
    join incident_values v on v.incident_id = f.incident_id
    join incident_values later
        on later.value = v.value
       and later.incident_id <> f.incident_id
       and later.began_at > f.fixed_at
       and later.began_at <= f.fixed_at + to_days(cast($window_days as integer))
)
select
    i.incident_id,
    i.title,
    i.incident_date,
    i.severity_label as severity,
    f.items,
    cast(f.fixed_at as date) as fixed_on,
    case
        when s.repeat_id is not null then 'no'
        when cast(f.fixed_at as date) + cast($window_days as integer) <= cast($as_of as date)
            then 'yes'
        else 'so far'
    end as held,
    s.value as struck_again_by,
    r.title as repeat_title,
    cast(s.repeat_began_at as date) as repeat_date,
    case when regexp_matches(i.source_url, '^https?://') then i.source_url end as url
from fixed f
join filtered_incidents i on i.incident_id = f.incident_id
join judged j on j.incident_id = f.incident_id
left join struck s on s.incident_id = f.incident_id and s.nth = 1
left join incidents r on r.incident_id = s.repeat_id
order by held, fixed_on desc, i.incident_id
