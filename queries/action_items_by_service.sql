-- Action items per service of their incident (an item of an incident with two services
-- counts in both): counts per status, closure rate and overdue on $as_of. The services are
-- the item's copy of its incident's (action_item_facts.services) that the basis switch
-- counts (as _counted_services.sql).
-- uses: item_facts
-- Params: the filters; $as_of (DATE)
with item_services as (
    select unnest(services) as s, status, overdue_from, overdue_until
    from item_facts
)
select
    s.service as service,
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
from item_services
where list_contains(cast($bases as varchar[]), s.basis)
  and (len(cast($services as varchar[])) = 0
       or list_contains(cast($services as varchar[]), s.service))
group by all
order by items desc, service
