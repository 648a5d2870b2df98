-- "Seen before" (SPEC §7 incident detail): the incidents similar to one post-mortem, most
-- similar first, with the words they share and how many days apart they began (negative:
-- before this one).
-- Params: $incident_id (VARCHAR); $kinds (VARCHAR[])
with this as (
    select coalesce(started_at, cast(incident_date as timestamp)) as began_at
    from incidents where incident_id = $incident_id
)
select
    o.incident_id,
    o.title,
    o.incident_date,
    round(s.similarity, 2) as similarity,
    array_to_string(s.shared_terms, ', ') as shared_terms,
    date_diff('day', cast(this.began_at as date),
              cast(coalesce(o.started_at, cast(o.incident_date as timestamp)) as date))
        as days_after,
    case when regexp_matches(o.source_url, '^https?://') then o.source_url end as url
from similar_incidents s
join incidents o on o.incident_id = s.similar_incident_id
cross join this
where s.incident_id = $incident_id
  and list_contains(cast($kinds as varchar[]), coalesce(o.kind, 'incident'))
order by s.similarity desc, o.incident_date desc nulls last, o.incident_id
