-- Time to close (SPEC §6) of done items with a closed_at: days from opened (created_at,
-- else the incident date) to closed, as a distribution per severity and over all items:
-- n, median, p90 (linear interpolation), and `small_n` when n < $small_n. Never a lone mean.
-- uses: filtered_incidents, filtered_items
-- Params: the filters; $small_n (INTEGER)
with closed as (
    select severity, date_diff('day', cast(opened_at as date), cast(closed_at as date)) as days
    from filtered_items
    where status = 'done' and closed_at is not null and opened_at is not null
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
