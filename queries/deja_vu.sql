-- Déjà vu (SPEC §6): a repeat incident that began while an action item of an earlier
-- matching incident (same value, within the window) was still not done: open or
-- in_progress, or done with closed_at after the repeat began. Items with a known
-- created_at after the repeat did not exist yet and do not count; wont_do and unknown
-- items are not "still not done" by what the documents say, so they do not count either.
-- One row per repeat incident and earlier incident.
-- uses: filtered_incidents, incident_values, repeats
-- Params: the filters; $dim; $window_days
select
    r.incident_id,
    f.title,
    cast(r.began_at as date) as incident_date,
    f.severity_label as severity,
    array_to_string(list_sort(list_distinct(list(r.value))), '; ') as shared_values,
    e.incident_id as earlier_incident_id,
    any_value(p.title) as earlier_title,
    cast(e.began_at as date) as earlier_date,
    count(distinct a.action_item_id) as items_not_done,
    array_to_string(list_sort(list_distinct(list(a.title))), '; ') as items_not_done_titles,
    case when regexp_matches(any_value(f.source_url), '^https?://')
         then any_value(f.source_url) end as url
from repeats r
join filtered_incidents f on f.incident_id = r.incident_id
join incident_values e
    on e.value = r.value
   and (e.began_at < r.began_at or (e.began_at = r.began_at and e.incident_id < r.incident_id))
   and e.began_at >= r.began_at - to_days(cast($window_days as integer))
join incidents p on p.incident_id = e.incident_id
join action_items a on a.incident_id = e.incident_id
where r.is_repeat
  and (a.status in ('open', 'in_progress') or (a.status = 'done' and a.closed_at > r.began_at))
  and (a.created_at is null or a.created_at <= r.began_at)
group by r.incident_id, f.title, r.began_at, f.severity_label, e.incident_id, e.began_at
order by incident_date desc, r.incident_id, earlier_date desc
