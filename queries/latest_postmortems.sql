-- The most recent post-mortems in the selection, newest first (undated ones last).
-- uses: filtered_facts
-- Params: the filters; $limit (INTEGER)
select
    incident_id,
    title,
    url,
    incident_date,
    severity_label as severity,
    status,
    source_name as source
from filtered_facts
order by incident_date desc nulls last, began_at desc nulls last, incident_id
limit $limit
