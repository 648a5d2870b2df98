-- Incidents per period and category. An incident with several categories counts once in each.
-- uses: filtered_incidents, counted_categories
-- Params: the filters; $period ('month' | 'quarter')
select
    cast(date_trunc($period, f.incident_date) as date) as period_start,
    c.category,
    count(*) as incidents
from filtered_incidents f
join counted_categories c on c.incident_id = f.incident_id
where f.incident_date is not null
  and (len(cast($categories as varchar[])) = 0
       or list_contains(cast($categories as varchar[]), c.category))
group by all
order by period_start, category
