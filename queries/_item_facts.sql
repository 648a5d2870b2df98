-- Fragment: the action items of the incidents the global filters select (SPEC §7), from
-- action_item_facts, which carries each item's incident date, severity label, source and
-- kind, so no join to incidents is needed: the same conditions as _filtered_incidents.sql,
-- on the item's copy of its incident's values.
-- uses: counted_services, counted_categories
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
  and (len(cast($services as varchar[])) = 0 or f.incident_id in (
        select s.incident_id from counted_services s
        where list_contains(cast($services as varchar[]), s.service)))
  and (len(cast($categories as varchar[])) = 0 or f.incident_id in (
        select c.incident_id from counted_categories c
        where list_contains(cast($categories as varchar[]), c.category)))
