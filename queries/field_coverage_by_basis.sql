-- Field coverage by basis (SPEC §6): per source and field, the share of the selected
-- incidents whose value was stated, mentioned, inferred or curated, and the share with none.
-- An incident's basis is that of its strongest value: curated, then stated, then mentioned
-- (services) or inferred (categories). A curated severity is one the curation step names in
-- provenance.curated (incident_facts.severity_basis).
-- uses: filtered_facts
-- Params: the filters
with bases as (
    select
        source_name as source,
        severity_basis as severity,
        case when len(services_curated) > 0 then 'curated'
             when len(services_stated) > 0 then 'stated'
             when len(services_mentioned) > 0 then 'mentioned' end as service,
        case when len(categories_curated) > 0 then 'curated'
             when len(categories_stated) > 0 then 'stated'
             when len(categories_inferred) > 0 then 'inferred' end as category
    from filtered_facts
),
per_field as (
    select source, 1 as field_order, 'severity' as field, severity as basis from bases
    union all select source, 2, 'service', service from bases
    union all select source, 3, 'category', category from bases
)
select
    source,
    field,
    count(*) as incidents,
    count(*) filter (where basis = 'stated') / count(*) as stated,
    count(*) filter (where basis = 'mentioned') / count(*) as mentioned,
    count(*) filter (where basis = 'inferred') / count(*) as inferred,
    count(*) filter (where basis = 'curated') / count(*) as curated,
    count(*) filter (where basis is null) / count(*) as missing
from per_field
group by source, field_order, field
order by source, field_order
