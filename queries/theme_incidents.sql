-- The incidents of each theme (SPEC §7 Recurrence), for the selection: largest theme first,
-- then newest incident first; `weight` is how close the incident sits to the theme (0–1).
-- uses: filtered_incidents
-- Params: the filters
select
    t.label as theme,
    count(*) over (partition by t.theme_id) as theme_incidents,
    f.incident_date,
    f.title,
    round(it.weight, 2) as weight,
    f.incident_id,
    case when regexp_matches(f.source_url, '^https?://') then f.source_url end as url
from incident_themes it
join themes t on t.theme_id = it.theme_id
join filtered_incidents f on f.incident_id = it.incident_id
order by theme_incidents desc, theme, f.incident_date desc nulls last, f.incident_id
