-- Action items not known to be finished (open, in_progress, unknown) whose title is one of
-- $titles, with their post-mortem: the vague-item list. The titles come from the vague-item
-- rule (queries/hygiene.py) run over action_item_titles.sql, once per distinct title.
-- uses: filtered_incidents, filtered_items
-- Params: the filters; $titles (VARCHAR[])
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
  and list_contains(cast($titles as varchar[]), title)
order by incident_date desc nulls last, action_item_id
