-- Fragment: recurring patterns (SPEC §6): a dimension value with at least $threshold
-- selected incidents inside some window of $window_days days. Any such window can be slid
-- to start at one of its incidents, so each incident anchors the window that starts with
-- it; an incident belongs to the pattern when a qualifying window holds it.
-- One row per (value, incident) in a pattern, with the most incidents any window held and
-- when the pattern last struck.
-- uses: filtered_incidents, incident_values
-- Params: the filters; $dim; $window_days; $threshold
select
    value,
    incident_id,
    began_at,
    max(in_window) over (partition by value) as most_in_window,
    max(began_at) over (partition by value) as last_began_at
from (
    select
        *,
        max(in_window) over (
            partition by value order by began_at
            range between to_days(cast($window_days as integer)) preceding and current row
        ) as best_window_holding_it
    from (
        select
            v.value, v.incident_id, v.began_at,
            count(*) over (
                partition by v.value order by v.began_at
                range between current row and to_days(cast($window_days as integer)) following
            ) as in_window
        from incident_values v
        join filtered_incidents f on f.incident_id = v.incident_id
        where v.began_at is not null
    ) anchored
) held
where best_window_holding_it >= cast($threshold as integer)
