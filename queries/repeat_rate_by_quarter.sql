-- Repeat rate per quarter of the incident date: repeats / incidents in that quarter.
-- uses: filtered_facts, repeat_flags
-- Params: the filters; $dim; $window_days; $default_selection
select
    strftime(incident_date, '%Y') || 'Q' || quarter(incident_date) as quarter,
    count(*) as incidents,
    count(*) filter (where is_repeat) as repeats,
    count(*) filter (where is_repeat) / count(*) as repeat_rate
from (
    -- A semi-join on the repeat flags of every incident (those of the selection among them):
    -- no distinct list of repeat ids to build first, no second join with the selection.
    select f.incident_date,
           f.incident_id in (select incident_id from repeat_flags where is_repeat) as is_repeat
    from filtered_facts f
    where f.incident_date is not null
) flagged
group by all
order by quarter
