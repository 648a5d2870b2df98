-- Action items not known to be finished (open, in_progress, unknown) whose title is vague,
-- with the reason and their post-mortem: the vague-item list. The vague-item rule
-- (loaders/hygiene.py) judged each title once per sync into vague_action_items; an item
-- with no title at all is counted as vague by the hygiene shares but not listed here.
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select
    i.action_item_id,
    i.title,
    v.reason,
    i.owner,
    i.due_date,
    i.status,
    i.ticket,
    i.incident_title,
    i.incident_date,
    i.incident_url
from filtered_items i
join vague_action_items v on v.action_item_id = i.action_item_id
where i.status in ('open', 'in_progress', 'unknown') and i.title is not null
order by i.incident_date desc nulls last, i.action_item_id
