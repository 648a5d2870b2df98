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
-- `in_window`: how many of the value's rows in the pattern began in the window that starts
-- with this one (recurring_patterns.sql takes the fullest).
-- For the default selection with no other filter, at the sync's window and threshold
-- ($kept_patterns, see queries/recurrence.py), the sync kept all this
-- (`default_pattern_window`, loaders/enrich/recurrence_facts.py): a scan instead of
-- three windows over every incident of the dimension.
-- uses: filtered_facts, incident_values
-- Params: the filters; $dim; $window_days; $threshold;
--         $kept_patterns (BOOLEAN: the sync kept the answer for these filters and settings)
select value_no, seq, began_at, default_pattern_window as in_window
from incident_recurrence
where cast($kept_patterns as boolean)
  and dim = $dim
  and default_pattern_window is not null
union all
select value_no, seq, began_at,
       count(*) over (
           partition by value_no order by began_at
           range between current row and to_days(cast($window_days as integer)) following
       ) as in_window
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
        where not cast($kept_patterns as boolean)  -- (then none of this is worked out)
    ) anchored
) held
where not cast($kept_patterns as boolean)
  and last_anchor_at >= began_at - to_days(cast($window_days as integer))
