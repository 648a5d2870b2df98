-- Déjà vu (SPEC §6): a repeat incident that began while an action item of an earlier
-- matching incident (same value, within the window) was still not done: open or
-- in_progress, or done with closed_at after the repeat began. wont_do and unknown items are
-- not "still not done" by what the documents say, so they do not count.
-- Each earlier incident is pending until its last such item closes (open ones: forever).
-- One row per repeat and value, naming the earlier incident that stayed pending longest
-- (then the most recent one): of the ones kept per class of incidents (kind, bases) in
-- `pending_earlier` at sync (loaders/enrich/recurrence_facts.py), the one the filters count.
-- For `similar`, only the earlier incidents similar to this one itself count.
-- uses: selected_values
-- Params: the filters; $dim; $window_days (the sync's window: recurrence.deja_vu checks);
--         $default_selection (BOOLEAN: the filters' kinds and bases are the default ones);
--         $unfiltered (BOOLEAN: and no other filter; see queries/recurrence.py);
--         $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with pending as materialized (
    -- Materialized: DuckDB would otherwise work the lists out twice, for the filter below
    -- and for the columns. For the default selection the sync kept the answer
    -- (`default_pending`) and the list is not read.
    select v.incident_id, v.value, v.began_at,
           case
               when cast($default_selection as boolean) then v.default_pending
               else list_max(list_transform(
                   list_filter(v.pending_earlier, lambda e:
                       list_contains(cast($kinds as varchar[]), e.kind)
                       and (e.service_basis is null
                            or list_contains(cast($bases as varchar[]), e.service_basis))
                       and (e.category_basis is null
                            or list_contains(cast($bases as varchar[]), e.category_basis))),
                   lambda e: {'until': e.until, 'began_at': e.began_at,
                              'incident_id': e.incident_id}))
           end as earlier
    from selected_values v
    where v.deja_vu_window_days = cast($window_days as integer)
),
found as (
    select incident_id, value, began_at, earlier.incident_id as earlier_incident_id,
           earlier.began_at as earlier_began_at
    from pending
    where earlier is not null
),
chosen as (
    -- The rows in the table's order, cut to $first_rows before the earlier incident's items
    -- are listed and the titles joined: at 100,000 incidents most repeats are déjà vu.
    -- Every row of `found` has an item not done when the repeat began (`pending_earlier`
    -- keeps only those), so none drops out below.
    select *, (select count(*) from found) as pmdash_rows_in_all
    from found
    order by cast(began_at as date) desc, incident_id, value
    limit cast($first_rows as bigint)
),
counted as (
    -- The earlier incident's items still not done when the repeat began (ids first, text
    -- after), from its items kept with until when each stayed not done
    -- (loaders/enrich/dashboard_facts.py).
    select incident_id, value, began_at, earlier_incident_id, earlier_began_at,
           pmdash_rows_in_all,
           len(items) as items_not_done,
           array_to_string(list_sort(list_transform(items, lambda x: x.title)), '; ')
               as items_not_done_titles
    from (
        select f.*, list_filter(p.pending_items, lambda x: x.open_until > f.began_at) as items
        from chosen f
        join incident_item_counts p on p.incident_id = f.earlier_incident_id
    ) pending
    where len(items) > 0
)
select
    c.incident_id,
    i.title,
    cast(c.began_at as date) as incident_date,
    coalesce(i.severity, 'unrated') as severity,  -- severity_label of filtered_facts
    c.value,
    c.earlier_incident_id,
    e.title as earlier_title,
    cast(c.earlier_began_at as date) as earlier_date,
    c.items_not_done,
    c.items_not_done_titles,
    i.url,
    c.pmdash_rows_in_all
from counted c
-- Selected incidents already: their titles and links straight from `incident_facts`, not
-- from filtered_facts a second time, which DuckDB would keep whole.
join incident_facts i on i.incident_id = c.incident_id
join incident_facts e on e.incident_id = c.earlier_incident_id
order by incident_date desc, c.incident_id, c.value
