-- Time to close (SPEC §6) of done items with a closed_at: days from opened (created_at,
-- else the incident date) to closed, as a distribution per severity and over all items:
-- n, median, p90 (linear interpolation), and `small_n` when n < $small_n. Never a lone mean.
-- action_item_facts.days_to_close holds those days for exactly these items.
-- uses: item_facts
-- Params: the filters; $small_n (INTEGER)
with closed as (
    select severity, days_to_close as days
    from item_facts
    where days_to_close is not null
)
select
    coalesce(severity, 'all items') as "group",
    count(*) as n,
    median(days) as median_days,
    quantile_cont(days, 0.9) as p90_days,
    count(*) < cast($small_n as integer) as small_n
from closed
group by grouping sets ((severity), ())
order by severity is null desc, severity
