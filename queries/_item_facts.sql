-- Fragment: the action items of the incidents the global filters select (SPEC §7), from
-- action_item_facts, which carries each item's incident date, severity label, source, kind,
-- and services and categories with their basis, so no join to incidents is needed: the
-- conditions of _filtered_incidents.sql (and of _counted_services.sql and
-- _counted_categories.sql for the basis switch), on the item's copy of its incident's values.
-- With no service or category chosen, DuckDB drops those conditions without reading a list.
-- Params: the filters, as in _filtered_incidents.sql
select *
from action_item_facts f
where (cast($start as date) is null or f.incident_date >= cast($start as date))
  and (cast($end as date) is null or f.incident_date <= cast($end as date))
  and (len(cast($severities as varchar[])) = 0
       or list_contains(cast($severities as varchar[]), f.severity))
  and (len(cast($sources as varchar[])) = 0
       or list_contains(cast($sources as varchar[]), f.source))
  and list_contains(cast($kinds as varchar[]), f.kind)
  and (len(cast($services as varchar[])) = 0
       or len(list_filter(f.services, lambda s:
                list_contains(cast($services as varchar[]), s.service)
                and list_contains(cast($bases as varchar[]), s.basis))) > 0)
  and (len(cast($categories as varchar[])) = 0
       or len(list_filter(f.categories, lambda c:
                list_contains(cast($categories as varchar[]), c.category)
                and list_contains(cast($bases as varchar[]), c.basis))) > 0)
