-- Fragment: the action items of the selected incidents, with their incident's date, title,
-- severity and link, and `opened_at`: the item's created_at, else (most documents state no
-- creation time) its incident's date.
-- uses: filtered_incidents
-- Params: the filters
select
    a.*,
    f.incident_date,
    f.title as incident_title,
    f.severity_label as severity,
    f.source_name as source,
    case when regexp_matches(f.source_url, '^https?://') then f.source_url end as incident_url,
    coalesce(a.created_at, cast(f.incident_date as timestamp)) as opened_at
from action_items a
join filtered_incidents f on f.incident_id = a.incident_id
