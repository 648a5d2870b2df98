-- Repeat incidents in the selection (SPEC §6): incidents, repeats (an incident is a repeat
-- when any of its dimension values is), the repeat rate = repeats / incidents, and how many
-- incidents have no value for the dimension (they count in the rate but can never repeat).
-- uses: filtered_incidents, repeats
-- Params: the filters; $dim; $window_days
select
    (select count(*) from filtered_incidents) as incidents,
    (select count(distinct incident_id) from repeats where is_repeat) as repeats,
    (select count(distinct incident_id) from repeats where is_repeat)
        / nullif((select count(*) from filtered_incidents), 0) as repeat_rate,
    (select count(*) from filtered_incidents f
     where not exists (select 1 from repeats r where r.incident_id = f.incident_id))
        as without_value
