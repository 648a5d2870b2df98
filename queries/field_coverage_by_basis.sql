-- Field coverage by basis (SPEC §6): per source and field, the share of the selected
-- incidents whose value was stated, mentioned, inferred or curated, and the share with none.
-- An incident's basis is that of its strongest value: curated, then stated, mentioned,
-- inferred. A curated severity is one the curation step names in provenance.curated.
-- uses: filtered_incidents
-- Params: the filters
with bases as (
    select
        f.source_name as source,
        case
            when f.severity is null then null
            when list_contains(string_split(split_part(
                     coalesce(json_extract_string(f.provenance, '$.curated'), ''), ' (', 1), ', '),
                 'severity') then 'curated'
            else 'stated'
        end as severity,
        (select arg_min(s.basis, list_position(['curated', 'stated', 'mentioned'], s.basis))
         from incident_services s where s.incident_id = f.incident_id) as service,
        (select arg_min(c.basis, list_position(['curated', 'stated', 'inferred'], c.basis))
         from incident_categories c where c.incident_id = f.incident_id) as category
    from filtered_incidents f
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
