-- The values the sidebar filters offer, from what the store holds; severities most severe
-- first, 'unrated' (no severity stated) last.
-- Params: none
select 'severity' as filter, coalesce(severity, 'unrated') as value,
       min(coalesce(severity_rank, 1000000)) as sort_key
from incidents group by all
union all
select 'service', service, 0 from incident_services group by all
union all
select 'category', category, 0 from incident_categories group by all
union all
select 'source', source_name, 0 from incidents group by all
order by filter, sort_key, value
