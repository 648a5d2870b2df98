-- Incidents per period and service. An incident with several services counts once in each.
-- uses: filtered_incidents, counted_services
-- Params: the filters; $period ('month' | 'quarter')
select
    cast(date_trunc($period, f.incident_date) as date) as period_start,
    s.service,
    count(*) as incidents
from filtered_incidents f
join counted_services s on s.incident_id = f.incident_id
where f.incident_date is not null
  and (len(cast($services as varchar[])) = 0
       or list_contains(cast($services as varchar[]), s.service))
group by all
order by period_start, service
