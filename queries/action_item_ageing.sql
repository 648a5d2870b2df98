-- Age on $as_of of the items not known to be finished (open, in_progress, and unknown as its
-- own band), in buckets of days since opened (created_at, else the incident date).
-- uses: item_facts
-- Params: the filters; $as_of (DATE)
with aged as (
    select status, opened_on, date_diff('day', opened_on, cast($as_of as date)) as age_days
    from item_facts
    where status in ('open', 'in_progress', 'unknown')
      and (opened_on is null or opened_on <= cast($as_of as date))
)
select
    case
        when opened_on is null then 'no date'
        when age_days <= 30 then '0–30 days'
        when age_days <= 90 then '31–90 days'
        when age_days <= 180 then '91–180 days'
        when age_days <= 365 then '181–365 days'
        else 'over 365 days'
    end as age_bucket,
    status,
    count(*) as items
from aged
group by 1, 2
order by list_position(['0–30 days', '31–90 days', '91–180 days', '181–365 days',
                        'over 365 days', 'no date'], age_bucket),
    list_position(['in_progress', 'open', 'unknown'], status)
