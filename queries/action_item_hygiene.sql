-- Action-item hygiene per source of the post-mortem (SPEC §6): how many items, and how many
-- name an owner, a due date and a ticket (a key such as OPS-123, or a link).
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select
    source,
    count(*) as items,
    count(owner) as with_owner,
    count(due_date) as with_due_date,
    count(*) filter (where ticket is not null or ticket_url is not null) as with_ticket
from filtered_items
group by source
order by source
