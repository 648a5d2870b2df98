-- Fragment: each filtered incident with each of its dimension values (SPEC §6 "repeat
-- incident"): `is_repeat` when an earlier incident with the same value began at most
-- $window_days days before it. "Earlier" orders by start time, then by incident id, so of
-- two incidents known only to the same day exactly one is the repeat. Incidents without
-- any date can be neither repeats nor earlier incidents.
-- uses: filtered_incidents, incident_values
-- Params: those of filtered_incidents and incident_values; $window_days (INTEGER)
select
    f.incident_id,
    p.value,
    p.began_at,
    p.seq,
    p.previous_incident_id,
    p.previous_began_at,
    coalesce(p.previous_began_at >= p.began_at - to_days(cast($window_days as integer)), false)
        as is_repeat
from (
    select
        v.*,
        lag(v.incident_id) over by_value as previous_incident_id,
        lag(v.began_at) over by_value as previous_began_at
    from incident_values v
    where v.began_at is not null
    window by_value as (partition by v.value order by v.began_at, v.incident_id)
) p
join filtered_incidents f on f.incident_id = p.incident_id
