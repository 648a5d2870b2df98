-- Fragment: each incident of the selected kinds with each of its dimension values (SPEC §6
-- "repeat incident"), whatever the other filters (repeats keeps the selected incidents):
-- `is_repeat` when an earlier incident with the same value began at most $window_days days
-- before it. "Earlier" orders by start time, then by incident id, so of
-- two incidents known only to the same day exactly one is the repeat. Incidents without
-- any date can be neither repeats nor earlier incidents. With $dim = 'similar' the earlier
-- incident must be similar to this one itself: its group may also hold incidents that are
-- similar only to others.
-- The earlier incident is the latest of those kept per class (kind, bases) in `earlier`
-- that the filters count: no window over the whole history. For the default selection
-- ($default_selection: incidents, every basis) the sync kept its start already
-- (`default_earlier_at`), and the list is not read.
-- uses: incident_values
-- Params: those of incident_values; $kinds, $bases; $window_days (INTEGER);
--         $default_selection (BOOLEAN: the filters' kinds and bases are the default ones)
select
    p.incident_id,
    p.value,
    p.began_at,
    p.previous_began_at,
    coalesce(p.previous_began_at >= p.began_at - to_days(cast($window_days as integer)), false)
        as is_repeat
from (
    select
        v.incident_id,
        v.value,
        v.began_at,
        case
            when cast($default_selection as boolean) then v.default_earlier_at
            else list_max(list_transform(
                list_filter(v.earlier, lambda e:
                    list_contains(cast($kinds as varchar[]), e.kind)
                    and (e.service_basis is null
                         or list_contains(cast($bases as varchar[]), e.service_basis))
                    and (e.category_basis is null
                         or list_contains(cast($bases as varchar[]), e.category_basis))),
                lambda e: e.began_at))
        end as previous_began_at
    from incident_values v
) p
