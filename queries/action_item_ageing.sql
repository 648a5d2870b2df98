-- Age on $as_of of the items not known to be finished (open, in_progress, and unknown as its
-- own band), in buckets of days since opened (created_at, else the incident date).
-- uses: filtered_incidents, filtered_items, items_as_of
-- Params: the filters; $as_of (DATE)
select
    case
        when opened_at is null then 'no date'
        when age_days <= 30 then '0–30 days'
        when age_days <= 90 then '31–90 days'
        when age_days <= 180 then '91–180 days'
        when age_days <= 365 then '181–365 days'
        else 'over 365 days'
    end as age_bucket,
    status,
    count(*) as items
from items_as_of
where status in ('open', 'in_progress', 'unknown')
  and (opened_at is null or cast(opened_at as date) <= cast($as_of as date))
group by 1, 2
order by list_position(['0–30 days', '31–90 days', '91–180 days', '181–365 days',
                        'over 365 days', 'no date'], age_bucket),
    list_position(['in_progress', 'open', 'unknown'], status)
