-- Action-item hygiene per source of the post-mortem (SPEC §6): how many items, and how many
-- name an owner, a due date and a ticket (a key such as OPS-123, or a link), and how many
-- have a vague title (judged once per sync: vague_action_items).
-- uses: item_facts
-- Params: the filters
select
    source,
    count(*) as items,
    count(owner) as with_owner,
    count(due_date) as with_due_date,
    count(*) filter (where has_ticket_or_url) as with_ticket,
    count(vague_reason) as vague
from item_facts
group by source
order by source
