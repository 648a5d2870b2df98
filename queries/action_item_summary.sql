-- Action-item closure for the selection (SPEC §6). Closure rate = done / (done + open +
-- in_progress); wont_do and unknown stay out of it and get their own shares of all items.
-- On-time rate = done with closed_at on or before due_date / done with both dates.
-- Overdue on $as_of as defined in _items_as_of.sql (action_item_facts keeps the days each
-- item is overdue on).
-- uses: item_facts
-- Params: the filters; $as_of (DATE)
with by_status as (
    -- Per status first: the shares below then add up five rows, not 500,000 items.
    select
        status,
        count(*) as items,
        count(*) filter (where on_time) as on_time,
        count(on_time) as with_both_dates,
        count(*) filter (where overdue_from <= cast($as_of as date)
                           and cast($as_of as date) < overdue_until) as overdue
    from item_facts
    group by status
),
counts as (
    select
        coalesce(sum(items), 0) as items,
        coalesce(sum(items) filter (where status = 'done'), 0) as done,
        coalesce(sum(items) filter (where status = 'open'), 0) as open,
        coalesce(sum(items) filter (where status = 'in_progress'), 0) as in_progress,
        coalesce(sum(items) filter (where status = 'wont_do'), 0) as wont_do,
        coalesce(sum(items) filter (where status = 'unknown'), 0) as unknown,
        coalesce(sum(on_time), 0) as on_time,
        coalesce(sum(with_both_dates), 0) as done_with_both_dates,
        coalesce(sum(overdue), 0) as overdue
    from by_status
)
select
    cast(items as bigint) as items,
    cast(done as bigint) as done,
    cast(open as bigint) as open,
    cast(in_progress as bigint) as in_progress,
    cast(wont_do as bigint) as wont_do,
    cast(unknown as bigint) as unknown,
    done / nullif(done + open + in_progress, 0) as closure_rate,
    wont_do / nullif(items, 0) as wont_do_share,
    unknown / nullif(items, 0) as unknown_share,
    on_time / nullif(done_with_both_dates, 0) as on_time_rate,
    cast(done_with_both_dates as bigint) as done_with_both_dates,
    cast(overdue as bigint) as overdue
from counts
