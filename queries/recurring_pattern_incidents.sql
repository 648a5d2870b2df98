-- The incidents of each recurring pattern, with their action items: how many, how many done.
-- uses: filtered_incidents, incident_values, pattern_members
-- Params: the filters; $dim; $window_days; $threshold; $active_from (DATE or NULL)
select
    m.value,
    f.incident_id,
    f.title,
    f.incident_date,
    f.severity_label as severity,
    case when regexp_matches(f.source_url, '^https?://') then f.source_url end as url,
    coalesce(a.items, 0) as action_items,
    coalesce(a.done, 0) as action_items_done
from pattern_members m
join filtered_incidents f on f.incident_id = m.incident_id
left join incident_item_counts a on a.incident_id = f.incident_id
where cast($active_from as date) is null
   or m.last_began_at >= cast(cast($active_from as date) as timestamp)
order by m.value, m.began_at, f.incident_id
