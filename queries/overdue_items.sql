-- Overdue action items on $as_of (as defined in _items_as_of.sql), most overdue first, with
-- owner, due date, ticket and the post-mortem they come from (its id opens it on the page).
-- uses: item_facts
-- Params: the filters; $as_of (DATE);
--         $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with shown as (
    -- The rows in the table's order, cut to $first_rows on their keys alone; only the rows
    -- kept have their titles, tickets and links read (at 500,000 items, 100,000 can be
    -- overdue).
    -- due_rank numbers the items by due date, then by id: this list's order.
    select item_no, due_rank, count(*) over () as pmdash_rows_in_all
    from item_facts
    where overdue_from <= cast($as_of as date) and cast($as_of as date) < overdue_until
    order by due_rank
    limit cast($first_rows as bigint)
)
select
    f.action_item_id,
    f.title,
    f.owner,
    f.due_date,
    date_diff('day', f.due_date, cast($as_of as date)) as days_overdue,
    f.status,
    f.ticket,
    case when regexp_matches(f.ticket_url, '^https?://') then f.ticket_url end as ticket_url,
    f.incident_id,
    f.incident_title,
    f.incident_date,
    f.severity,
    case when regexp_matches(f.incident_url, '^https?://') then f.incident_url end as incident_url,
    s.pmdash_rows_in_all
from shown s
join action_item_facts f on f.item_no = s.item_no
order by s.due_rank
