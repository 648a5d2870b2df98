-- Repeat rate per quarter of the incident date: repeats / incidents in that quarter.
-- uses: filtered_incidents, repeats
-- Params: the filters; $dim; $window_days
select
    strftime(f.incident_date, '%Y') || 'Q' || quarter(f.incident_date) as quarter,
    count(*) as incidents,
    count(*) filter (where r.incident_id is not null) as repeats,
    count(*) filter (where r.incident_id is not null) / count(*) as repeat_rate
from filtered_incidents f
left join (select distinct incident_id from repeats where is_repeat) r
    on r.incident_id = f.incident_id
where f.incident_date is not null
group by all
order by quarter
