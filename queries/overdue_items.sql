-- Overdue action items on $as_of (as defined in _items_as_of.sql), most overdue first, with
-- owner, due date, ticket and the post-mortem they come from (its id opens it on the page).
-- uses: filtered_incidents, filtered_items, items_as_of
-- Params: the filters; $as_of (DATE)
select
    action_item_id,
    title,
    owner,
    due_date,
    date_diff('day', due_date, cast($as_of as date)) as days_overdue,
    status,
    ticket,
    case when regexp_matches(ticket_url, '^https?://') then ticket_url end as ticket_url,
    incident_id,
    incident_title,
    incident_date,
    severity,
    incident_url
from items_as_of
where is_overdue
order by due_date, action_item_id
