-- How the services and categories of the selected incidents were found (SPEC §4.5): link
-- rows per field and basis, for the captions beside charts that count them. Every basis is
-- listed, counted or not, so a caption can say what the switch leaves out.
-- uses: filtered_incidents
-- Params: the filters
select 'service' as field, s.basis, count(*) as links
from filtered_incidents f join incident_services s on s.incident_id = f.incident_id
group by all
union all
select 'category', c.basis, count(*)
from filtered_incidents f join incident_categories c on c.incident_id = f.incident_id
group by all
order by field desc, basis
