-- Incidents per period and owning team: the catalog's owner of each of the incident's
-- services (SPEC §4.5). An incident counts once in each team; services the catalog gives
-- no owner count under 'no owner'.
-- uses: filtered_incidents, counted_services
-- Params: the filters; $period ('month' | 'quarter')
select
    cast(date_trunc($period, f.incident_date) as date) as period_start,
    coalesce(k.owner, 'no owner') as team,
    count(distinct f.incident_id) as incidents
from filtered_incidents f
join counted_services s on s.incident_id = f.incident_id
left join service_catalog k on k.service = s.service
where f.incident_date is not null
  and (len(cast($services as varchar[])) = 0
       or list_contains(cast($services as varchar[]), s.service))
group by all
order by period_start, team
