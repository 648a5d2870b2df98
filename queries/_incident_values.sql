-- Fragment: the values of the recurrence dimension for every dated incident of the selected
-- kinds, not filtered by date or source (an earlier incident outside the period still makes
-- a repeat). One row per incident and value: an incident with two services has two rows.
-- With a service or category filter, only the selected services / categories are values;
-- only services and categories of the counted bases are (SPEC §7).
-- With $dim = 'similar' the value is the incident's group of similar incidents (SPEC §6).
-- The rows are kept once per sync in incident_recurrence (loaders/enrich/recurrence_facts.py),
-- with `earlier`: per kind and bases, the latest incident with the same value before it,
-- and `pending_earlier` (déjà vu).
-- Params: $dim ('service' | 'category' | 'service_category' | 'similar'); $services,
--         $categories, $kinds, $bases
select r.incident_id, r.value, r.began_at, r.earlier, r.pending_earlier, r.deja_vu_window_days,
       r.value_no, r.seq, r.default_earlier_at, r.default_pending, r.default_next
from incident_recurrence r
where r.dim = $dim
  and list_contains(cast($kinds as varchar[]), r.kind)
  and (r.service_basis is null or list_contains(cast($bases as varchar[]), r.service_basis))
  and (r.category_basis is null or list_contains(cast($bases as varchar[]), r.category_basis))
  and (r.service is null or len(cast($services as varchar[])) = 0
       or list_contains(cast($services as varchar[]), r.service))
  and (r.category is null or len(cast($categories as varchar[])) = 0
       or list_contains(cast($categories as varchar[]), r.category))
