-- Categories with the most incidents in the selection (an incident counts once per category),
-- with the share of the selected incidents in each.
-- uses: filtered_incidents, counted_categories
-- Params: the filters; $limit (INTEGER)
select
    c.category,
    count(*) as incidents,
    count(*) / (select count(*) from filtered_incidents) as share_of_incidents
from filtered_incidents f
join counted_categories c on c.incident_id = f.incident_id
where len(cast($categories as varchar[])) = 0
   or list_contains(cast($categories as varchar[]), c.category)
group by all
order by incidents desc, category
limit $limit
