-- The Incidents table and the `incidents` export: each selected post-mortem with its date,
-- severity, services, categories (each not stated marked with its basis: `api (mentioned)`)
-- and action-item counts by status.
-- uses: filtered_facts, counted_services, counted_categories
-- Params: the filters; $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with chosen as (
    -- The rows in the table's order, cut to $first_rows before their services and
    -- categories are joined into text: a page shows 1,000 of 100,000 incidents.
    select incident_id, title, url, incident_date, began_at, severity_label, kind, status,
           source_name, time_to_detect_minutes, time_to_recover_minutes,
           count(*) over () as pmdash_rows_in_all
    from filtered_facts
    order by incident_date desc nulls last, began_at desc nulls last, incident_id
    limit cast($first_rows as bigint)
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
    chosen.incident_id,
    chosen.title,
    chosen.url,  -- the link to the post-mortem sits beside its title
    chosen.incident_date,
    chosen.severity_label as severity,
    s.services,
    c.categories,
    chosen.kind,
    chosen.status,
    chosen.source_name as source,
    coalesce(a.items, 0) as action_items,
    coalesce(a.done, 0) as done,
    coalesce(a.open, 0) as open,
    coalesce(a.in_progress, 0) as in_progress,
    coalesce(a.wont_do, 0) as wont_do,
    coalesce(a.unknown, 0) as unknown,
    chosen.time_to_detect_minutes,
    chosen.time_to_recover_minutes,
    chosen.pmdash_rows_in_all
from chosen
left join services s on s.incident_id = chosen.incident_id
left join categories c on c.incident_id = chosen.incident_id
left join items a on a.incident_id = chosen.incident_id
order by chosen.incident_date desc nulls last, chosen.began_at desc nulls last, chosen.incident_id
