-- Fragment: each filtered incident with each of its dimension values (SPEC §6 "repeat
-- incident"): `is_repeat` when an earlier incident with the same value began at most
-- $window_days days before it. "Earlier" orders by start time, then by incident id, so of
-- two incidents known only to the same day exactly one is the repeat. Incidents without
-- any date can be neither repeats nor earlier incidents. With $dim = 'similar' the earlier
-- incident must be similar to this one itself: its group may also hold incidents that are
-- similar only to others.
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
        lag(v.incident_id) over (partition by v.value order by v.began_at, v.incident_id)
            as previous_incident_id,
        lag(v.began_at) over (partition by v.value order by v.began_at, v.incident_id)
            as previous_began_at
    from incident_values v
    where v.began_at is not null and $dim <> 'similar'
    union all by name
    select v.*, e.previous_incident_id, e.previous_began_at
    from incident_values v
    left join (
        -- The latest earlier incident (lower seq in the group) similar to this one.
        select me.incident_id,
               arg_max(o.incident_id, o.seq) as previous_incident_id,
               arg_max(o.began_at, o.seq) as previous_began_at
        from incident_values me
        join similar_incidents s on s.incident_id = me.incident_id
        join incident_values o on o.incident_id = s.similar_incident_id
        where o.seq < me.seq and o.began_at is not null
        group by me.incident_id
    ) e on e.incident_id = v.incident_id
    where v.began_at is not null and $dim = 'similar'
) p
join filtered_incidents f on f.incident_id = p.incident_id
