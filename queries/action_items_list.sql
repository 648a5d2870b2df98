-- Every action item of the selection with its post-mortem: the `action-items` export and
-- the table behind the Action items page.
-- uses: filtered_incidents, filtered_items, items_as_of
-- Params: the filters; $as_of (DATE)
select
    action_item_id,
    incident_id,
    incident_title,
    incident_date,
    severity,
    source,
    position,
    title,
    owner,
    due_date,
    status,
    status_basis,
    cast(closed_at as date) as closed_date,
    ticket,
    case when regexp_matches(ticket_url, '^https?://') then ticket_url end as ticket_url,
    cast(opened_at as date) as opened_date,
    created_at is not null as created_date_stated,
    is_overdue,
    incident_url
from items_as_of
order by incident_date desc nulls last, incident_id, position
