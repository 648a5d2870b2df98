-- Action-item closure for the selection (SPEC §6). Closure rate = done / (done + open +
-- in_progress); wont_do and unknown stay out of it and get their own shares of all items.
-- On-time rate = done with closed_at on or before due_date / done with both dates.
-- Overdue on $as_of as defined in _items_as_of.sql.
-- uses: filtered_incidents, filtered_items, items_as_of
-- Params: the filters; $as_of (DATE)
select
    count(*) as items,
    count(*) filter (where status = 'done') as done,
    count(*) filter (where status = 'open') as open,
    count(*) filter (where status = 'in_progress') as in_progress,
    count(*) filter (where status = 'wont_do') as wont_do,
    count(*) filter (where status = 'unknown') as unknown,
    count(*) filter (where status = 'done')
        / nullif(count(*) filter (where status in ('done', 'open', 'in_progress')), 0)
        as closure_rate,
    count(*) filter (where status = 'wont_do') / nullif(count(*), 0) as wont_do_share,
    count(*) filter (where status = 'unknown') / nullif(count(*), 0) as unknown_share,
    count(*) filter (where status = 'done' and cast(closed_at as date) <= due_date)
        / nullif(count(*) filter (where status = 'done' and closed_at is not null
                                  and due_date is not null), 0)
        as on_time_rate,
    count(*) filter (where status = 'done' and closed_at is not null and due_date is not null)
        as done_with_both_dates,
    count(*) filter (where is_overdue) as overdue
from items_as_of
