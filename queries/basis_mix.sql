-- How the services and categories of the selected incidents were found (SPEC §4.5): link
-- rows per field and basis, for the captions beside charts that count them. Every basis is
-- listed, counted or not, so a caption can say what the switch leaves out; a basis no link
-- of the selection has is not.
-- uses: filtered_facts
-- Params: the filters
with links as (
    select
        sum(len(services_stated)) as service_stated,
        sum(len(services_mentioned)) as service_mentioned,
        sum(len(services_inferred)) as service_inferred,
        sum(len(services_curated)) as service_curated,
        sum(len(categories_stated)) as category_stated,
        sum(len(categories_mentioned)) as category_mentioned,
        sum(len(categories_inferred)) as category_inferred,
        sum(len(categories_curated)) as category_curated
    from filtered_facts
)
select split_part(name, '_', 1) as field, split_part(name, '_', 2) as basis,
       cast(links as bigint) as links
from links unpivot (links for name in (
    service_stated, service_mentioned, service_inferred, service_curated,
    category_stated, category_mentioned, category_inferred, category_curated))
where links > 0
order by field desc, basis
