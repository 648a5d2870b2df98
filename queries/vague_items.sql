-- Action items not known to be finished (open, in_progress, unknown) whose title is vague,
-- with the reason and their post-mortem: the vague-item list. The vague-item rule
-- (loaders/hygiene.py) judged each title once per sync into vague_action_items; an item
-- with no title at all is counted as vague by the hygiene shares but not listed here.
-- uses: item_facts
-- Params: the filters;
--         $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with shown as (
    -- Cut to $first_rows on the keys alone; only the rows kept have their titles read.
    -- item_no numbers the items newest incident first, then by id: this list's order.
    select item_no, count(*) over () as pmdash_rows_in_all
    from item_facts
    where vague_reason is not null and titled and status in ('open', 'in_progress', 'unknown')
    order by item_no
    limit cast($first_rows as bigint)
)
select
    f.action_item_id,
    f.title,
    f.vague_reason as reason,
    f.owner,
    f.due_date,
    f.status,
    f.ticket,
    f.incident_title,
    f.incident_date,
    case when regexp_matches(f.incident_url, '^https?://') then f.incident_url end as incident_url,
    s.pmdash_rows_in_all
from shown s
join action_item_facts f on f.item_no = s.item_no
order by s.item_no
