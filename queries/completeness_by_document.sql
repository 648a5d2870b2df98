-- Which of the six sections each selected post-mortem has, and which it lacks.
-- uses: filtered_facts
-- Params: the filters; $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with counted as (
    select
        incident_id, incident_date,
        -- one test per section: list_intersect over every row costs ten times more
        coalesce(list_contains(sections, 'summary')::int
                 + list_contains(sections, 'timeline')::int
                 + list_contains(sections, 'contributing_factors')::int
                 + list_contains(sections, 'root_cause')::int
                 + list_contains(sections, 'impact')::int
                 + list_contains(sections, 'action_items')::int, 0) as sections_present
    from filtered_facts
),
chosen as (
    -- The rows in the table's order, cut to $first_rows before the missing sections are
    -- spelled out: a page shows 1,000 of 100,000 post-mortems. Sorted with their keys only,
    -- then read again for the rows kept (titles and links need not go through the sort).
    select *, count(*) over () as pmdash_rows_in_all
    from counted
    order by sections_present, incident_date desc nulls last, incident_id
    limit cast($first_rows as bigint)
)
select
    c.incident_id,
    x.title,
    c.incident_date,
    x.source_name as source,
    c.sections_present,
    array_to_string(list_filter(['summary', 'timeline', 'contributing_factors', 'root_cause',
        'impact', 'action_items'], lambda s: not list_contains(coalesce(x.sections, []), s)), '; ')
        as sections_missing,
    x.url,
    c.pmdash_rows_in_all
from chosen c
join incident_facts x on x.incident_id = c.incident_id
order by c.sections_present, c.incident_date desc nulls last, c.incident_id
