-- Services with the most incidents in the selection (an incident counts once per service),
-- with the share of the selected incidents that touched each.
-- uses: filtered_facts
-- Params: the filters; $limit (INTEGER)
with counted as (
    -- the selection's service links of the bases the sidebar's switch counts
    select unnest(services_stated) as service from filtered_facts
    where list_contains(cast($bases as varchar[]), 'stated')
    union all
    select unnest(services_mentioned) from filtered_facts
    where list_contains(cast($bases as varchar[]), 'mentioned')
    union all
    select unnest(services_inferred) from filtered_facts
    where list_contains(cast($bases as varchar[]), 'inferred')
    union all
    select unnest(services_curated) from filtered_facts
    where list_contains(cast($bases as varchar[]), 'curated')
)
select
    service,
    count(*) as incidents,
    count(*) / (select count(*) from filtered_facts) as share_of_incidents
from counted
where len(cast($services as varchar[])) = 0
   or list_contains(cast($services as varchar[]), service)
group by all
order by incidents desc, service
limit $limit
