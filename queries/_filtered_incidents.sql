-- Fragment: the incidents the global filters select (SPEC §7), one row each, with
-- `began_at` (when it started, else its date) and `severity_label` ('unrated' when the
-- document states no severity).
-- uses: counted_services, counted_categories
-- Params: $start, $end (DATE; NULL = open; incidents without a date only when both are NULL);
--         $severities, $services, $categories, $sources (VARCHAR[]; empty = all);
--         $kinds (VARCHAR[]; a NULL kind counts as 'incident')
select
    i.*,
    coalesce(i.started_at, cast(i.incident_date as timestamp)) as began_at,
    coalesce(i.severity, 'unrated') as severity_label
from incidents i
where (cast($start as date) is null or i.incident_date >= cast($start as date))
  and (cast($end as date) is null or i.incident_date <= cast($end as date))
  and (len(cast($severities as varchar[])) = 0
       or list_contains(cast($severities as varchar[]), coalesce(i.severity, 'unrated')))
  and (len(cast($sources as varchar[])) = 0
       or list_contains(cast($sources as varchar[]), i.source_name))
  and list_contains(cast($kinds as varchar[]), coalesce(i.kind, 'incident'))
  and (len(cast($services as varchar[])) = 0 or i.incident_id in (
        select s.incident_id from counted_services s
        where list_contains(cast($services as varchar[]), s.service)))
  and (len(cast($categories as varchar[])) = 0 or i.incident_id in (
        select c.incident_id from counted_categories c
        where list_contains(cast($categories as varchar[]), c.category)))
