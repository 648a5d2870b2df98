-- Recurring patterns: each value with at least $threshold incidents inside a window of
-- $window_days days, how many incidents form the pattern, when it began and last struck.
-- $active_from keeps only patterns with an incident on or after that date (NULL = all).
-- The fullest window is counted among the pattern's incidents only: every incident of a
-- window that holds $threshold or more belongs to the pattern, and the fullest one does.
-- uses: filtered_facts, incident_values, pattern_members
-- Params: the filters; $dim; $window_days; $threshold; $kept_patterns; $active_from (DATE or NULL)
with patterns as (
    select
        value_no,
        count(*) as incidents,
        max(in_window) as most_in_one_window,
        cast(min(began_at) as date) as first_date,
        cast(max(began_at) as date) as last_date
    from pattern_members
    group by value_no
    having cast($active_from as date) is null
        or max(began_at) >= cast(cast($active_from as date) as timestamp)
)
select v.value, p.incidents, p.most_in_one_window, p.first_date, p.last_date
from patterns p
join (select distinct value_no, value from incident_recurrence where dim = $dim) v
  on v.value_no = p.value_no
order by incidents desc, last_date desc, value
