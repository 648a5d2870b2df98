-- SEV1–2 incidents of the selection (severity rank 1 or 2), with links, newest first.
-- uses: filtered_incidents, counted_services, counted_categories
-- Params: the filters
select
    incident_id,
    title,
    incident_date,
    severity,
    (select string_agg(service, ', ' order by service) from counted_services s
     where s.incident_id = f.incident_id) as services,
    (select string_agg(category, ', ' order by category) from counted_categories c
     where c.incident_id = f.incident_id) as categories,
    time_to_recover_minutes,
    case when regexp_matches(source_url, '^https?://') then source_url end as url
from filtered_incidents f
where severity_rank <= 2
order by incident_date desc nulls last, incident_id
