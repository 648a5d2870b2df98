-- How many selected incidents have the fields charts group by, so an empty chart can say
-- why ("0 of 80 incidents name a service") and the default repeat dimension can follow the
-- data. Services and categories count as the sidebar's basis switch says.
-- uses: filtered_incidents, counted_services, counted_categories
-- Params: the filters
select
    count(*) as incidents,
    count(*) filter (where s.incident_id is not null) as with_service,
    count(*) filter (where c.incident_id is not null) as with_category,
    count(*) filter (where s.incident_id is not null and c.incident_id is not null)
        as with_service_and_category,
    count(m.incident_id) as with_similar,
    count(f.incident_date) as with_date,
    count(*) filter (where f.time_to_detect_minutes is not null
                        or f.time_to_recover_minutes is not null) as with_duration
from filtered_incidents f
left join (select distinct incident_id from counted_services) s on s.incident_id = f.incident_id
left join (select distinct incident_id from counted_categories) c on c.incident_id = f.incident_id
left join (select distinct incident_id from similar_incidents) m on m.incident_id = f.incident_id
