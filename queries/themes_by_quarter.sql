-- Themes over time (SPEC §7 Recurrence): selected incidents per theme and quarter of their
-- date; incidents without a date are left out (they have no quarter).
-- uses: filtered_facts
-- Params: the filters
with counted as (
    -- Counted by numbers; the quarter's name and the theme's label are put on the counts
    -- (a few thousand rows), not on every incident.
    select it.theme_id, year(f.incident_date) as y, quarter(f.incident_date) as q,
           count(*) as incidents
    from incident_themes it
    join filtered_facts f on f.incident_id = it.incident_id
    where f.incident_date is not null
    group by all
)
select
    cast(c.y as varchar) || 'Q' || c.q as quarter,
    t.label as theme,
    cast(sum(c.incidents) as bigint) as incidents
from counted c
join themes t on t.theme_id = c.theme_id
group by all
order by quarter, theme
