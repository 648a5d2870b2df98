-- Déjà vu (SPEC §6): a repeat incident that began while an action item of an earlier
-- matching incident (same value, within the window) was still not done: open or
-- in_progress, or done with closed_at after the repeat began. wont_do and unknown items are
-- not "still not done" by what the documents say, so they do not count.
-- Each earlier incident is pending until its last such item closes (open ones: forever);
-- a window function finds, for every incident, the earlier ones in the window, so the
-- query stays linear in the number of incidents. One row per repeat and value, naming the
-- earlier incident that stayed pending longest (then the most recent one).
-- uses: filtered_incidents, incident_values
-- Params: the filters; $dim; $window_days
-- `pending_until` and `pending_items` are kept once per sync (loaders/enrich/dashboard_facts.py).
with ordered as (
    select v.value, v.incident_id, v.began_at, v.seq,
           case when p.pending_until is not null
                then {'until': p.pending_until, 'at': v.began_at, 'id': v.incident_id} end
               as pending
    from incident_values v
    left join incident_item_counts p on p.incident_id = v.incident_id
    where v.began_at is not null
),
looked_back as (
    select *,
        greatest(
            -- incidents that began earlier, at most $window_days before
            max(pending) over (
                partition by value order by began_at
                range between to_days(cast($window_days as integer)) preceding
                          and interval 1 microsecond preceding),
            -- incidents that began at the same time but come first in the id order
            max(pending) over (
                partition by value, began_at order by seq
                rows between unbounded preceding and 1 preceding)
        ) as earlier
    from ordered
),
found as (
    -- An earlier incident in the window makes this one a repeat, so no repeat check is needed.
    select l.incident_id, l.value, l.began_at, l.earlier.id as earlier_incident_id,
           l.earlier.at as earlier_began_at
    from looked_back l
    where $dim <> 'similar' and l.earlier.until > l.began_at
      and l.incident_id in (select incident_id from filtered_incidents)
    union all
    -- `similar`: only the earlier incidents similar to this one itself count.
    select me.incident_id, me.value, me.began_at,
           struct_extract(max(o.pending), 'id'), struct_extract(max(o.pending), 'at')
    from ordered me
    join similar_incidents s on s.incident_id = me.incident_id
    join ordered o on o.incident_id = s.similar_incident_id
    where $dim = 'similar' and o.seq < me.seq
      and o.began_at >= me.began_at - to_days(cast($window_days as integer))
      and o.pending.until > me.began_at
      and me.incident_id in (select incident_id from filtered_incidents)
    group by me.incident_id, me.value, me.began_at
),
counted as (
    -- The earlier incident's items still not done when the repeat began (ids first, text
    -- after), from its items kept with until when each stayed not done
    -- (loaders/enrich/dashboard_facts.py).
    select incident_id, value, began_at, earlier_incident_id, earlier_began_at,
           len(items) as items_not_done,
           array_to_string(list_sort(list_transform(items, lambda x: x.title)), '; ')
               as items_not_done_titles
    from (
        select f.*, list_filter(p.pending_items, lambda x: x.open_until > f.began_at) as items
        from found f
        join incident_item_counts p on p.incident_id = f.earlier_incident_id
    ) pending
    where len(items) > 0
)
select
    c.incident_id,
    i.title,
    cast(c.began_at as date) as incident_date,
    i.severity_label as severity,
    c.value,
    c.earlier_incident_id,
    e.title as earlier_title,
    cast(c.earlier_began_at as date) as earlier_date,
    c.items_not_done,
    c.items_not_done_titles,
    case when regexp_matches(i.source_url, '^https?://') then i.source_url end as url
from counted c
join filtered_incidents i on i.incident_id = c.incident_id
join incidents e on e.incident_id = c.earlier_incident_id
order by incident_date desc, c.incident_id, c.value
