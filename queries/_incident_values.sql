-- Fragment: the values of the recurrence dimension for every incident of the selected kinds,
-- not filtered by date or source (an earlier incident outside the period still makes a repeat).
-- One row per incident and value: an incident with two services has two rows.
-- With a service or category filter, only the selected services / categories are values.
-- uses: counted_services, counted_categories
-- With $dim = 'similar' the value is the incident's group of similar incidents (SPEC §6).
-- Params: $dim ('service' | 'category' | 'service_category' | 'similar'); $services,
--         $categories, $kinds
select v.incident_id, v.value, x.began_at,
       -- Order of incidents with this value (by start, then id): "earlier" means a lower seq.
       row_number() over (partition by v.value order by x.began_at, v.incident_id) as seq
from (
    select s.incident_id, s.service as value
    from counted_services s
    where $dim = 'service'
      and (len(cast($services as varchar[])) = 0
           or list_contains(cast($services as varchar[]), s.service))
    union all
    select c.incident_id, c.category as value
    from counted_categories c
    where $dim = 'category'
      and (len(cast($categories as varchar[])) = 0
           or list_contains(cast($categories as varchar[]), c.category))
    union all
    select s.incident_id, s.service || ' × ' || c.category as value
    from counted_services s
    join counted_categories c on c.incident_id = s.incident_id
    where $dim = 'service_category'
      and (len(cast($services as varchar[])) = 0
           or list_contains(cast($services as varchar[]), s.service))
      and (len(cast($categories as varchar[])) = 0
           or list_contains(cast($categories as varchar[]), c.category))
    union all
    select distinct s.incident_id, s.group_id as value
    from similar_incidents s
    where $dim = 'similar'
) v
join incidents i on i.incident_id = v.incident_id
cross join lateral (
    select coalesce(i.started_at, cast(i.incident_date as timestamp)) as began_at
) x
where list_contains(cast($kinds as varchar[]), coalesce(i.kind, 'incident'))
