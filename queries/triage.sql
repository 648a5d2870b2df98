-- The Triage page and `pmdash triage --out` (SPEC §7, §8): the selected incidents a person
-- still has to decide on: no severity, no service or no category, or services only mentioned
-- / categories only inferred. Values of every basis are listed (a person decides on all of
-- them, whatever the sidebar switch says), each list with the bases it holds.
-- uses: filtered_facts
-- Params: the filters; $pending_only (BOOLEAN: false lists every selected incident, for
--         comparing an edited copy with what the store holds now)
with pending as (
    -- No severity; no service, or mentioned ones only; no category, or inferred ones only.
    -- Picked on the lists' lengths first, so only these rows have their lists put together.
    select * from filtered_facts
    where not $pending_only
       or severity is null
       or (len(services_stated) = 0 and len(services_inferred) = 0
           and len(services_curated) = 0)
       or (len(categories_stated) = 0 and len(categories_mentioned) = 0
           and len(categories_curated) = 0)
),
listed as (
    -- the bases a list holds, in alphabetical order, as text ('mentioned, stated')
    select
        incident_id, title, incident_date, source_name, severity, kind,
        list_sort(flatten([services_stated, services_mentioned, services_inferred,
                                 services_curated])) as services,
        nullif(concat_ws(', ',
            case when len(services_curated) > 0 then 'curated' end,
            case when len(services_inferred) > 0 then 'inferred' end,
            case when len(services_mentioned) > 0 then 'mentioned' end,
            case when len(services_stated) > 0 then 'stated' end), '') as services_basis,
        list_sort(flatten([categories_stated, categories_mentioned, categories_inferred,
                                 categories_curated])) as categories,
        nullif(concat_ws(', ',
            case when len(categories_curated) > 0 then 'curated' end,
            case when len(categories_inferred) > 0 then 'inferred' end,
            case when len(categories_mentioned) > 0 then 'mentioned' end,
            case when len(categories_stated) > 0 then 'stated' end), '') as categories_basis
    from pending
)
select
    p.incident_id,
    p.title,
    p.incident_date,
    p.source_name as source,
    p.severity,
    p.services,
    coalesce(p.services_basis, 'none') as services_basis,
    p.categories,
    coalesce(p.categories_basis, 'none') as categories_basis,
    p.kind
from listed p
order by p.incident_date desc nulls last, p.incident_id
