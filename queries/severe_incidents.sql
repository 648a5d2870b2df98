-- SEV1–2 incidents of the selection (severity rank 1 or 2), with links, newest first.
-- uses: filtered_facts
-- Params: the filters
with severe as (
    -- the services and categories of the bases the sidebar's switch counts
    select
        incident_id, title, url, incident_date, severity, time_to_recover_minutes,
        list_sort(flatten([
            case when list_contains(cast($bases as varchar[]), 'stated') then services_stated end,
            case when list_contains(cast($bases as varchar[]), 'mentioned') then services_mentioned end,
            case when list_contains(cast($bases as varchar[]), 'inferred') then services_inferred end,
            case when list_contains(cast($bases as varchar[]), 'curated') then services_curated end]))
            as services,
        list_sort(flatten([
            case when list_contains(cast($bases as varchar[]), 'stated') then categories_stated end,
            case when list_contains(cast($bases as varchar[]), 'mentioned') then categories_mentioned end,
            case when list_contains(cast($bases as varchar[]), 'inferred') then categories_inferred end,
            case when list_contains(cast($bases as varchar[]), 'curated') then categories_curated end]))
            as categories
    from filtered_facts
    where severity_rank <= 2
)
select
    s.incident_id,
    s.title,
    s.incident_date,
    s.severity,
    case when len(s.services) > 0 then array_to_string(s.services, ', ') end as services,
    case when len(s.categories) > 0 then array_to_string(s.categories, ', ') end as categories,
    s.time_to_recover_minutes,
    s.url
from severe s
order by s.incident_date desc nulls last, s.incident_id
