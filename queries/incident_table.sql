-- The Incidents table and the `incidents` export: each selected post-mortem with its date,
-- severity, services, categories (each not stated marked with its basis: `api (mentioned)`)
-- and action-item counts by status.
-- uses: filtered_facts, counted_services, counted_categories
-- Params: the filters; $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with chosen as (
    -- The rows in the table's order, cut to $first_rows before their services and
    -- categories are joined into text: a page shows 1,000 of 100,000 incidents. Sorted with
    -- their keys only, then read again for the rows kept: carrying titles and links
    -- through the sort of every selected row cost a fifth more.
    select incident_id, incident_date, began_at, count(*) over () as pmdash_rows_in_all
    from filtered_facts
    order by incident_date desc nulls last, began_at desc nulls last, incident_id
    limit cast($first_rows as bigint)
),
shown as (
    select x.*, coalesce(x.severity, 'unrated') as severity_label, k.pmdash_rows_in_all
    from chosen k
    join incident_facts x on x.incident_id = k.incident_id
),
services as (
    select incident_id, string_agg(service || case when basis = 'stated' then '' else ' (' || basis || ')' end, ', ' order by service, basis)
        as services
    from counted_services
    where incident_id in (select incident_id from chosen)
    group by incident_id
),
categories as (
    select incident_id, string_agg(category || case when basis = 'stated' then '' else ' (' || basis || ')' end, ', ' order by category, basis)
        as categories
    from counted_categories
    where incident_id in (select incident_id from chosen)
    group by incident_id
),
-- counted once per sync (loaders/enrich/dashboard_facts.py)
items as (select * from incident_item_counts)
select
    shown.incident_id,
    shown.title,
    shown.url,  -- the link to the post-mortem sits beside its title
    shown.incident_date,
    shown.severity_label as severity,
    s.services,
    c.categories,
    shown.kind,
    shown.status,
    shown.source_name as source,
    coalesce(a.items, 0) as action_items,
    coalesce(a.done, 0) as done,
    coalesce(a.open, 0) as open,
    coalesce(a.in_progress, 0) as in_progress,
    coalesce(a.wont_do, 0) as wont_do,
    coalesce(a.unknown, 0) as unknown,
    shown.time_to_detect_minutes,
    shown.time_to_recover_minutes,
    shown.pmdash_rows_in_all
from shown
left join services s on s.incident_id = shown.incident_id
left join categories c on c.incident_id = shown.incident_id
left join items a on a.incident_id = shown.incident_id
order by shown.incident_date desc nulls last, shown.began_at desc nulls last, shown.incident_id
