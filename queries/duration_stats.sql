-- Time to detect and time to recover (SPEC §6) as distributions per group ($by: severity,
-- source, service or category; an incident with two services is in both groups): n,
-- median, p90 (linear interpolation) in minutes, and `small_n` when n < $small_n. Never a mean.
-- uses: filtered_facts
-- Params: the filters; $by ('severity' | 'source' | 'service' | 'category'); $small_n (INTEGER)
with measured_incidents as (
    select * from filtered_facts
    where time_to_detect_minutes is not null or time_to_recover_minutes is not null
),
linked as (
    -- the services or categories of the bases the sidebar's switch counts, one row each
    select incident_id, time_to_detect_minutes, time_to_recover_minutes,
           case $by when 'service' then flatten([
                    case when list_contains(cast($bases as varchar[]), 'stated') then services_stated end,
                    case when list_contains(cast($bases as varchar[]), 'mentioned') then services_mentioned end,
                    case when list_contains(cast($bases as varchar[]), 'inferred') then services_inferred end,
                    case when list_contains(cast($bases as varchar[]), 'curated') then services_curated end])
                else flatten([
                    case when list_contains(cast($bases as varchar[]), 'stated') then categories_stated end,
                    case when list_contains(cast($bases as varchar[]), 'mentioned') then categories_mentioned end,
                    case when list_contains(cast($bases as varchar[]), 'inferred') then categories_inferred end,
                    case when list_contains(cast($bases as varchar[]), 'curated') then categories_curated end])
           end as names_list
    from measured_incidents where $by in ('service', 'category')
),
grouped as (
    select incident_id, severity_label as "group", time_to_detect_minutes,
           time_to_recover_minutes
    from measured_incidents where $by = 'severity'
    union all
    select incident_id, source_name, time_to_detect_minutes, time_to_recover_minutes
    from measured_incidents where $by = 'source'
    union all
    select incident_id, "group", time_to_detect_minutes, time_to_recover_minutes
    from (select *, unnest(names_list) as "group" from linked)
    where len(cast(case $by when 'service' then $services else $categories end as varchar[])) = 0
       or list_contains(cast(case $by when 'service' then $services else $categories end
                             as varchar[]), "group")
),
measured as (
    select "group", 'time_to_detect' as measure, time_to_detect_minutes as minutes
    from grouped where time_to_detect_minutes is not null
    union all
    select "group", 'time_to_recover', time_to_recover_minutes
    from grouped where time_to_recover_minutes is not null
)
select
    measure,
    "group",
    count(*) as n,
    median(minutes) as median_minutes,
    quantile_cont(minutes, 0.9) as p90_minutes,
    count(*) < cast($small_n as integer) as small_n
from measured
group by all
order by measure, "group"
