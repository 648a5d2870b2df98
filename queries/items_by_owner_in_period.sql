-- Action items opened, closed and overdue per owner for one period (the Quarterly review):
-- opened = opened (created_at, else the incident date) in the period; closed = done with
-- closed_at in the period; overdue = overdue on the period's last day ($period_end; see
-- _items_as_of.sql and action_item_facts). The filters' own date range should be open so
-- that an item opened in the period from an older incident is still seen.
-- uses: item_facts
-- Params: the filters; $period_start, $period_end, $as_of (DATE; $as_of = $period_end)
select
    coalesce(owner, '(no owner)') as owner,
    count(*) filter (where opened_on
                     between cast($period_start as date) and cast($period_end as date)) as opened,
    count(*) filter (where status = 'done' and closed_on
                     between cast($period_start as date) and cast($period_end as date)) as closed,
    count(*) filter (where overdue_from <= cast($as_of as date)
                       and cast($as_of as date) < overdue_until) as overdue
from item_facts
group by all
having opened > 0 or closed > 0 or overdue > 0
order by opened + closed + overdue desc, owner
