-- How many selected incidents have the fields charts group by, so an empty chart can say
-- why ("0 of 80 incidents name a service") and the default repeat dimension can follow the
-- data. Services and categories count as the sidebar's basis switch says.
-- uses: filtered_facts
-- Params: the filters
select
    count(*) as incidents,
    count(*) filter (where names_service) as with_service,
    count(*) filter (where names_category) as with_category,
    count(*) filter (where names_service and names_category) as with_service_and_category,
    count(*) filter (where has_similar) as with_similar,
    count(incident_date) as with_date,
    count(*) filter (where time_to_detect_minutes is not null
                        or time_to_recover_minutes is not null) as with_duration
from filtered_facts
