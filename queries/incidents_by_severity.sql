-- Incidents per period and severity, for "incidents over time by severity".
-- Incidents without a date cannot be placed on the time axis and are left out.
-- uses: filtered_facts
-- Params: the filters; $period ('month' | 'quarter')
select
    cast(date_trunc($period, incident_date) as date) as period_start,
    severity_label as severity,
    min(coalesce(severity_rank, 1000000)) as severity_rank,
    count(*) as incidents
from filtered_facts
where incident_date is not null
group by all
order by period_start, severity_rank, severity
