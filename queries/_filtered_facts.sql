-- Fragment: the incidents the global filters select (SPEC §7), as their flat rows of
-- `incident_facts` (kept at sync, loaders/enrich/incident_facts.py): no join, so a count
-- over the selection reads one table. `severity_label`: 'unrated' when the document
-- states no severity. `names_service` / `names_category`: whether the
-- incident has a service / category of a basis the sidebar's switch counts.
-- The service and category filters spell the bases out one by one: a test per list column
-- costs a few milliseconds at 100,000 incidents, joining the lists or filtering them with a
-- lambda several times more.
-- Params: $start, $end (DATE; NULL = open; incidents without a date only when both are NULL);
--         $severities, $services, $categories, $sources (VARCHAR[]; empty = all);
--         $kinds (VARCHAR[]; a NULL kind counts as 'incident'); $bases (VARCHAR[])
select
    x.*,
    coalesce(x.severity, 'unrated') as severity_label,
    x.service_bases & b.counted <> 0 as names_service,
    x.category_bases & b.counted <> 0 as names_category
from incident_facts x,
     -- the bases the switch counts, as the bits of service_bases and category_bases
     (select list_contains(cast($bases as varchar[]), 'stated')::int
             + 2 * list_contains(cast($bases as varchar[]), 'mentioned')::int
             + 4 * list_contains(cast($bases as varchar[]), 'inferred')::int
             + 8 * list_contains(cast($bases as varchar[]), 'curated')::int as counted) b
where (cast($start as date) is null or x.incident_date >= cast($start as date))
  and (cast($end as date) is null or x.incident_date <= cast($end as date))
  and (len(cast($severities as varchar[])) = 0
       or list_contains(cast($severities as varchar[]), coalesce(x.severity, 'unrated')))
  and (len(cast($sources as varchar[])) = 0
       or list_contains(cast($sources as varchar[]), x.source_name))
  and list_contains(cast($kinds as varchar[]), x.kind)
  and (len(cast($services as varchar[])) = 0
       or list_contains(cast($bases as varchar[]), 'stated')
          and list_has_any(x.services_stated, cast($services as varchar[]))
       or list_contains(cast($bases as varchar[]), 'mentioned')
          and list_has_any(x.services_mentioned, cast($services as varchar[]))
       or list_contains(cast($bases as varchar[]), 'inferred')
          and list_has_any(x.services_inferred, cast($services as varchar[]))
       or list_contains(cast($bases as varchar[]), 'curated')
          and list_has_any(x.services_curated, cast($services as varchar[])))
  and (len(cast($categories as varchar[])) = 0
       or list_contains(cast($bases as varchar[]), 'stated')
          and list_has_any(x.categories_stated, cast($categories as varchar[]))
       or list_contains(cast($bases as varchar[]), 'mentioned')
          and list_has_any(x.categories_mentioned, cast($categories as varchar[]))
       or list_contains(cast($bases as varchar[]), 'inferred')
          and list_has_any(x.categories_inferred, cast($categories as varchar[]))
       or list_contains(cast($bases as varchar[]), 'curated')
          and list_has_any(x.categories_curated, cast($categories as varchar[])))
