-- Themes over time (SPEC §7 Recurrence): selected incidents per theme and quarter of their
-- date; incidents without a date are left out (they have no quarter).
-- uses: filtered_incidents
-- Params: the filters
select
    strftime(f.incident_date, '%Y') || 'Q' || quarter(f.incident_date) as quarter,
    t.label as theme,
    count(*) as incidents
from incident_themes it
join themes t on t.theme_id = it.theme_id
join filtered_incidents f on f.incident_id = it.incident_id
where f.incident_date is not null
group by all
order by quarter, theme
