-- Action items per owner ('(no owner)' when the document names none): counts per status,
-- closure rate (done / (done + open + in_progress)) and overdue on $as_of.
-- uses: item_facts
-- Params: the filters; $as_of (DATE)
select
    coalesce(owner, '(no owner)') as owner,
    count(*) as items,
    count(*) filter (where status = 'done') as done,
    count(*) filter (where status = 'open') as open,
    count(*) filter (where status = 'in_progress') as in_progress,
    count(*) filter (where status = 'wont_do') as wont_do,
    count(*) filter (where status = 'unknown') as unknown,
    count(*) filter (where status = 'done')
        / nullif(count(*) filter (where status in ('done', 'open', 'in_progress')), 0)
        as closure_rate,
    count(*) filter (where overdue_from <= cast($as_of as date)
                       and cast($as_of as date) < overdue_until) as overdue
from item_facts
group by all
order by items desc, owner
