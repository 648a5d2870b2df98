-- The action items of one post-mortem, in document order.
-- Params: $incident_id (VARCHAR)
select
    position,
    title,
    owner,
    due_date,
    status,
    status_raw,
    status_basis,
    cast(closed_at as date) as closed_date,
    ticket,
    case when regexp_matches(ticket_url, '^https?://') then ticket_url end as ticket_url
from action_items
where incident_id = $incident_id
order by position
