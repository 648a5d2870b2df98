-- Action items opened, closed and overdue per owner for one period (the Quarterly review):
-- opened = opened (created_at, else the incident date) in the period; closed = done with
-- closed_at in the period; overdue = overdue on the period's last day ($period_end; see
-- _items_as_of.sql). The filters' own date range should be open so that an item opened in
-- the period from an older incident is still seen.
-- uses: filtered_incidents, filtered_items, items_as_of
-- Params: the filters; $period_start, $period_end, $as_of (DATE; $as_of = $period_end)
select
    coalesce(owner, '(no owner)') as owner,
    count(*) filter (where cast(opened_at as date)
                     between cast($period_start as date) and cast($period_end as date)) as opened,
    count(*) filter (where status = 'done' and cast(closed_at as date)
                     between cast($period_start as date) and cast($period_end as date)) as closed,
    count(*) filter (where is_overdue) as overdue
from items_as_of
group by all
having opened > 0 or closed > 0 or overdue > 0
order by opened + closed + overdue desc, owner
