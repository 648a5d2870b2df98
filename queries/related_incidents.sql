-- Incidents related to one post-mortem: another incident (of the selected kinds) that shares
-- a service or a category with it and began within $window_days days before or after it.
-- uses: counted_services, counted_categories
-- Params: $incident_id (VARCHAR); $window_days (INTEGER); $kinds (VARCHAR[])
with this as (
    select incident_id, coalesce(started_at, cast(incident_date as timestamp)) as began_at
    from incidents where incident_id = $incident_id
),
shared as (
    select o.incident_id, 'service: ' || o.service as shared_value
    from counted_services t join counted_services o on o.service = t.service
    where t.incident_id = $incident_id and o.incident_id <> t.incident_id
    union all
    select o.incident_id, 'category: ' || o.category
    from counted_categories t join counted_categories o on o.category = t.category
    where t.incident_id = $incident_id and o.incident_id <> t.incident_id
),
others as (
    select
        i.incident_id,
        i.title,
        i.incident_date,
        coalesce(i.severity, 'unrated') as severity,
        date_diff('day', cast(this.began_at as date),
                  cast(coalesce(i.started_at, cast(i.incident_date as timestamp)) as date))
            as days_after,
        case when regexp_matches(i.source_url, '^https?://') then i.source_url end as url
    from incidents i
    cross join this
    where list_contains(cast($kinds as varchar[]), coalesce(i.kind, 'incident'))
)
select
    o.incident_id,
    o.title,
    o.incident_date,
    o.severity,
    string_agg(distinct s.shared_value, ', ' order by s.shared_value) as shared,
    o.days_after,
    o.url
from others o
join shared s on s.incident_id = o.incident_id
where abs(o.days_after) <= cast($window_days as integer)
group by o.incident_id, o.title, o.incident_date, o.severity, o.days_after, o.url
order by abs(o.days_after), o.incident_id
