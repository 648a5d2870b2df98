-- Time to detect and time to recover (SPEC §6) as distributions per group ($by: severity,
-- source, service or category; an incident with two services is in both groups): n,
-- median, p90 (linear interpolation) in minutes, and `small_n` when n < $small_n. Never a mean.
-- uses: filtered_incidents, counted_services, counted_categories
-- Params: the filters; $by ('severity' | 'source' | 'service' | 'category'); $small_n (INTEGER)
with grouped as (
    select f.incident_id, f.severity_label as "group", f.time_to_detect_minutes,
           f.time_to_recover_minutes
    from filtered_incidents f where $by = 'severity'
    union all
    select f.incident_id, f.source_name, f.time_to_detect_minutes, f.time_to_recover_minutes
    from filtered_incidents f where $by = 'source'
    union all
    select f.incident_id, s.service, f.time_to_detect_minutes, f.time_to_recover_minutes
    from filtered_incidents f join counted_services s on s.incident_id = f.incident_id
    where $by = 'service'
      and (len(cast($services as varchar[])) = 0
           or list_contains(cast($services as varchar[]), s.service))
    union all
    select f.incident_id, c.category, f.time_to_detect_minutes, f.time_to_recover_minutes
    from filtered_incidents f join counted_categories c on c.incident_id = f.incident_id
    where $by = 'category'
      and (len(cast($categories as varchar[])) = 0
           or list_contains(cast($categories as varchar[]), c.category))
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
