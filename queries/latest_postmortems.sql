-- The most recent post-mortems in the selection, newest first (undated ones last).
-- uses: filtered_incidents
-- Params: the filters; $limit (INTEGER)
select
    incident_id,
    title,
    case when regexp_matches(source_url, '^https?://') then source_url end as url,
    incident_date,
    severity_label as severity,
    status,
    source_name as source
from filtered_incidents
order by incident_date desc nulls last, began_at desc nulls last, incident_id
limit $limit
