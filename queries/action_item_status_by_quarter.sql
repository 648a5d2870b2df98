-- Action items per quarter opened and status, every status its own band (unknown too).
-- The quarter comes from the item's created_at, else from its incident's date.
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select
    coalesce(strftime(opened_at, '%Y') || 'Q' || quarter(opened_at), 'no date') as quarter,
    status,
    count(*) as items
from filtered_items
group by 1, 2
order by quarter = 'no date', quarter,
    list_position(['done', 'in_progress', 'open', 'wont_do', 'unknown'], status)
