-- Action items per service of their incident (an item of an incident with two services
-- counts in both): counts per status, closure rate and overdue on $as_of.
-- uses: item_facts, counted_services
-- Params: the filters; $as_of (DATE)
select
    s.service,
    count(*) as items,
    count(*) filter (where i.status = 'done') as done,
    count(*) filter (where i.status = 'open') as open,
    count(*) filter (where i.status = 'in_progress') as in_progress,
    count(*) filter (where i.status = 'wont_do') as wont_do,
    count(*) filter (where i.status = 'unknown') as unknown,
    count(*) filter (where i.status = 'done')
        / nullif(count(*) filter (where i.status in ('done', 'open', 'in_progress')), 0)
        as closure_rate,
    count(*) filter (where i.overdue_from <= cast($as_of as date)
                       and cast($as_of as date) < i.overdue_until) as overdue
from item_facts i
join counted_services s on s.incident_id = i.incident_id
where len(cast($services as varchar[])) = 0
   or list_contains(cast($services as varchar[]), s.service)
group by all
order by items desc, service
