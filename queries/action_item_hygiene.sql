-- Action-item hygiene per source of the post-mortem (SPEC §6): how many items, and how many
-- name an owner, a due date and a ticket (a key such as OPS-123, or a link), and how many
-- have a vague title (judged once per sync: vague_action_items).
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select
    i.source,
    count(*) as items,
    count(i.owner) as with_owner,
    count(i.due_date) as with_due_date,
    count(*) filter (where i.ticket is not null or i.ticket_url is not null) as with_ticket,
    count(v.action_item_id) as vague
from filtered_items i
left join vague_action_items v on v.action_item_id = i.action_item_id
group by i.source
order by i.source
