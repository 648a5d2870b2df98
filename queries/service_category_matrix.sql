-- Incidents per service and category, for the heatmap (an incident counts once in each
-- of its service × category cells).
-- uses: filtered_incidents, counted_services, counted_categories
-- Params: the filters
select s.service, c.category, count(*) as incidents
from filtered_incidents f
join counted_services s on s.incident_id = f.incident_id
join counted_categories c on c.incident_id = f.incident_id
where (len(cast($services as varchar[])) = 0
       or list_contains(cast($services as varchar[]), s.service))
  and (len(cast($categories as varchar[])) = 0
       or list_contains(cast($categories as varchar[]), c.category))
group by all
order by service, category
