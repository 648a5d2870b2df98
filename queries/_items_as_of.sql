-- Fragment: the selected action items as they stood on $as_of. `is_overdue` (SPEC §6): open
-- or in_progress with a due date before $as_of; for a past $as_of an item done after that
-- day was still open then and counts too (for today this adds nothing). Items opened after
-- $as_of did not exist yet and are not overdue. `age_days`: days from opened to $as_of.
-- uses: filtered_incidents, filtered_items
-- Params: the filters; $as_of (DATE)
select
    *,
    coalesce(
        due_date < cast($as_of as date)
        and (status in ('open', 'in_progress')
             or (status = 'done' and cast(closed_at as date) > cast($as_of as date)))
        and (opened_at is null or cast(opened_at as date) <= cast($as_of as date)),
        false) as is_overdue,
    date_diff('day', cast(opened_at as date), cast($as_of as date)) as age_days
from filtered_items
