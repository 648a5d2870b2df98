-- Categories with the most incidents in the selection (an incident counts once per category),
-- with the share of the selected incidents in each.
-- uses: filtered_facts
-- Params: the filters; $limit (INTEGER)
with counted as (
    -- the selection's category links of the bases the sidebar's switch counts
    select unnest(categories_stated) as category from filtered_facts
    where list_contains(cast($bases as varchar[]), 'stated')
    union all
    select unnest(categories_mentioned) from filtered_facts
    where list_contains(cast($bases as varchar[]), 'mentioned')
    union all
    select unnest(categories_inferred) from filtered_facts
    where list_contains(cast($bases as varchar[]), 'inferred')
    union all
    select unnest(categories_curated) from filtered_facts
    where list_contains(cast($bases as varchar[]), 'curated')
)
select
    category,
    count(*) as incidents,
    count(*) / (select count(*) from filtered_facts) as share_of_incidents
from counted
where len(cast($categories as varchar[])) = 0
   or list_contains(cast($categories as varchar[]), category)
group by all
order by incidents desc, category
limit $limit
