-- One post-mortem with every stored field, its services and categories (each not stated
-- marked with its basis: `api (mentioned)`) and tags, for the
-- incident detail view. Not filtered: a shared link to an incident always opens it.
-- Params: $incident_id (VARCHAR)
select
    i.*,
    case when regexp_matches(i.source_url, '^https?://') then i.source_url end as url,
    (select list(service || case when basis = 'stated' then '' else ' (' || basis || ')' end order by service) from incident_services s
     where s.incident_id = i.incident_id) as services,
    (select list(category || case when basis = 'stated' then '' else ' (' || basis || ')' end order by category)
     from incident_categories c
     where c.incident_id = i.incident_id) as categories,
    (select list(tag order by tag) from incident_tags t
     where t.incident_id = i.incident_id) as tags
from incidents i
where i.incident_id = $incident_id
