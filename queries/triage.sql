-- The Triage page and `pmdash triage --out` (SPEC §7, §8): the selected incidents a person
-- still has to decide on: no severity, no service or no category, or services only mentioned
-- / categories only inferred. Values of every basis are listed (a person decides on all of
-- them, whatever the sidebar switch says), each list with the bases it holds.
-- uses: filtered_incidents
-- Params: the filters; $pending_only (BOOLEAN: false lists every selected incident, for
--         comparing an edited copy with what the store holds now)
with services as (
    select incident_id, list(service order by service) as services,
           string_agg(distinct basis, ', ' order by basis) as services_basis
    from incident_services group by incident_id
),
categories as (
    select incident_id, list(category order by category) as categories,
           string_agg(distinct basis, ', ' order by basis) as categories_basis
    from incident_categories group by incident_id
)
select
    f.incident_id,
    f.title,
    f.incident_date,
    f.source_name as source,
    f.severity,
    coalesce(s.services, []) as services,
    coalesce(s.services_basis, 'none') as services_basis,
    coalesce(c.categories, []) as categories,
    coalesce(c.categories_basis, 'none') as categories_basis,
    coalesce(f.kind, 'incident') as kind
from filtered_incidents f
left join services s on s.incident_id = f.incident_id
left join categories c on c.incident_id = f.incident_id
where not $pending_only
   or f.severity is null
   or s.services is null or s.services_basis = 'mentioned'
   or c.categories is null or c.categories_basis = 'inferred'
order by f.incident_date desc nulls last, f.incident_id
