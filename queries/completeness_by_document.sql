-- Which of the six sections each selected post-mortem has, and which it lacks.
-- uses: filtered_incidents
-- Params: the filters
select
    incident_id,
    title,
    incident_date,
    source_name as source,
    len(list_intersect(coalesce(sections, []), ['summary', 'timeline', 'contributing_factors',
        'root_cause', 'impact', 'action_items'])) as sections_present,
    array_to_string(list_filter(['summary', 'timeline', 'contributing_factors', 'root_cause',
        'impact', 'action_items'], lambda s: not list_contains(coalesce(sections, []), s)), '; ')
        as sections_missing,
    case when regexp_matches(source_url, '^https?://') then source_url end as url
from filtered_incidents
order by sections_present, incident_date desc nulls last, incident_id
