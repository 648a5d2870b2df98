-- Repeat incidents of one selection in two periods at once, for the Overview's tiles: the
-- same columns and numbers as repeat_summary for each period, but the repeat flags (a window
-- over every incident with a dimension value) are worked out once instead of once per period.
-- One row per period, 'current' then 'previous'.
-- uses: filtered_facts, repeat_flags
-- Params: the filters with $start and $end NULL (the periods choose the dates); $dim;
--         $window_days; $default_selection; $current_start, $current_end, $previous_start,
--         $previous_end (DATE; NULL = open; as in filtered_facts, incidents without a date
--         only in a period open at both ends)
with periods as (
    select * from (values
        (1, 'current', cast($current_start as date), cast($current_end as date)),
        (2, 'previous', cast($previous_start as date), cast($previous_end as date))
    ) p(position, period, start_date, end_date)
),
members as (
    select p.period, f.incident_id
    from periods p
    join filtered_facts f
      on (p.start_date is null or f.incident_date >= p.start_date)
     and (p.end_date is null or f.incident_date <= p.end_date)
),
flags as (
    -- repeat_flags has a row per value of each incident of the selected kinds: the members
    -- (selected incidents) with none have no value.
    select incident_id, bool_or(is_repeat) as is_repeat from repeat_flags group by incident_id
),
counts as (
    select
        p.position,
        p.period,
        count(m.incident_id) as incidents,
        count(m.incident_id) filter (where fl.is_repeat) as repeats,
        count(m.incident_id) filter (where m.incident_id is not null and fl.incident_id is null)
            as without_value
    from periods p
    left join members m on m.period = p.period
    left join flags fl on fl.incident_id = m.incident_id
    group by p.position, p.period
)
select period, incidents, repeats, repeats / nullif(incidents, 0) as repeat_rate, without_value
from counts
order by position
