-- Services with the most incidents in the selection (an incident counts once per service),
-- with the share of the selected incidents that touched each.
-- uses: filtered_incidents, counted_services
-- Params: the filters; $limit (INTEGER)
select
    s.service,
    count(*) as incidents,
    count(*) / (select count(*) from filtered_incidents) as share_of_incidents
from filtered_incidents f
join counted_services s on s.incident_id = f.incident_id
where len(cast($services as varchar[])) = 0
   or list_contains(cast($services as varchar[]), s.service)
group by all
order by incidents desc, service
limit $limit
