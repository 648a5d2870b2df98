-- Action items per quarter opened and status, every status its own band (unknown too).
-- The quarter comes from the item's created_at, else from its incident's date
-- (action_item_facts.opened_quarter).
-- uses: item_facts
-- Params: the filters
select
    coalesce(opened_quarter, 'no date') as quarter,
    status,
    count(*) as items
from item_facts
group by 1, 2
order by quarter = 'no date', quarter,
    list_position(['done', 'in_progress', 'open', 'wont_do', 'unknown'], status)
