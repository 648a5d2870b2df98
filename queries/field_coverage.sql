-- Field coverage per source (SPEC §6): of the selected incidents, the share that states a
-- date, a severity, at least one service and at least one category.
-- uses: filtered_incidents
-- Params: the filters
select
    f.source_name as source,
    count(*) as incidents,
    count(f.incident_date) / count(*) as with_date,
    count(f.severity) / count(*) as with_severity,
    count(*) filter (where exists (select 1 from incident_services s
                                   where s.incident_id = f.incident_id)) / count(*)
        as with_service,
    count(*) filter (where exists (select 1 from incident_categories c
                                   where c.incident_id = f.incident_id)) / count(*)
        as with_category
from filtered_incidents f
group by f.source_name
order by source
