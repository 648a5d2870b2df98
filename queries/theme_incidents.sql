-- The incidents of each theme (SPEC §7 Recurrence), for the selection: largest theme first,
-- then newest incident first; `weight` is how close the incident sits to the theme (0–1).
-- uses: filtered_facts
-- Params: the filters; $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with members as (
    select it.theme_id, t.label, it.incident_id, it.weight, f.incident_date
    from incident_themes it
    join themes t on t.theme_id = it.theme_id
    join filtered_facts f on f.incident_id = it.incident_id
),
sized as (
    -- Counted by grouping, not by windows over every member: a fifth of the time.
    select theme_id, count(*) as theme_incidents, sum(count(*)) over () as pmdash_rows_in_all
    from members
    group by theme_id
),
chosen as (
    -- Cut to $first_rows before the titles are joined: at 100,000 incidents most are in a
    -- theme, and the page shows the first rows only.
    select m.*, s.theme_incidents, s.pmdash_rows_in_all
    from members m
    join sized s on s.theme_id = m.theme_id
    order by s.theme_incidents desc, m.label, m.incident_date desc nulls last, m.incident_id
    limit cast($first_rows as bigint)
)
select
    c.label as theme,
    c.theme_incidents,
    c.incident_date,
    i.title,
    round(c.weight, 2) as weight,
    c.incident_id,
    i.url,
    c.pmdash_rows_in_all
from chosen c
-- `chosen` holds selected incidents only: their titles straight from the table.
join incident_facts i on i.incident_id = c.incident_id
order by c.theme_incidents desc, theme, c.incident_date desc nulls last, c.incident_id
