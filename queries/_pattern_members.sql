-- Fragment: recurring patterns (SPEC §6): a dimension value with at least $threshold
-- selected incidents inside some window of $window_days days. Any such window can be slid
-- to start at one of its incidents, so each incident anchors the window that starts with
-- it; an incident belongs to the pattern when a qualifying window holds it.
-- One row per (value, incident) in a pattern, named by numbers only: `value_no` (the
-- value's) and `seq` (the incident's place among the value's), which order as the value,
-- then start and id, and name a row of incident_recurrence; a query joins the names and
-- titles to the rows it keeps.
-- How: the window that starts with an incident holds $threshold incidents when the one
-- $threshold - 1 places after it (by start, then id) began within it; of incidents that
-- began at the same time the first anchors the fullest window, so looking ahead from each
-- is enough. An incident is in a qualifying window when the latest qualifying anchor up to
-- it began at most $window_days before it. Two windows that look along the rows and sort
-- and carry integers: the windows that counted and compared over ranges of time, sorting
-- value and id strings, took three times as long at 100,000 incidents.
-- uses: filtered_facts, incident_values
-- Params: the filters; $dim; $window_days; $threshold
select value_no, seq, began_at
from (
    select
        *,
        max(case when anchors then began_at end) over (
            partition by value_no order by seq rows between unbounded preceding and current row
        ) as last_anchor_at
    from (
        select
            v.value_no, v.seq, v.began_at,
            lead(v.began_at, greatest(cast($threshold as integer) - 1, 0)) over (
                partition by v.value_no order by v.seq
            ) <= v.began_at + to_days(cast($window_days as integer)) as anchors
        from incident_values v
        join filtered_facts f on f.incident_id = v.incident_id
    ) anchored
) held
where last_anchor_at >= began_at - to_days(cast($window_days as integer))
