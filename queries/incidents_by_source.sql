-- Incidents per period and source.
-- uses: filtered_incidents
-- Params: the filters; $period ('month' | 'quarter')
select
    cast(date_trunc($period, incident_date) as date) as period_start,
    source_name as source,
    count(*) as incidents
from filtered_incidents
where incident_date is not null
group by all
order by period_start, source
