-- Action items not known to be finished (open, in_progress, unknown) with their post-mortem:
-- the rows the vague-item list is drawn from (a done or dropped item needs no rewrite).
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select
    action_item_id,
    title,
    owner,
    due_date,
    status,
    ticket,
    incident_title,
    incident_date,
    incident_url
from filtered_items
where status in ('open', 'in_progress', 'unknown')
order by incident_date desc nulls last, action_item_id
