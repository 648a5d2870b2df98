-- Field coverage per source (SPEC §6): of the selected incidents, the share that states a
-- date, a severity, at least one service and at least one category (of any basis).
-- uses: filtered_facts
-- Params: the filters
select
    source_name as source,
    count(*) as incidents,
    count(incident_date) / count(*) as with_date,
    count(severity) / count(*) as with_severity,
    count(*) filter (where len(services_stated) > 0 or len(services_mentioned) > 0
                        or len(services_inferred) > 0 or len(services_curated) > 0) / count(*)
        as with_service,
    count(*) filter (where len(categories_stated) > 0 or len(categories_mentioned) > 0
                        or len(categories_inferred) > 0 or len(categories_curated) > 0) / count(*)
        as with_category
from filtered_facts
group by source_name
order by source
