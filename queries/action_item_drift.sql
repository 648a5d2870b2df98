-- Drift (SPEC §6): action items whose document and tracker disagree (done in the document
-- but open in the tracker, or open in the document but closed in the tracker) and tickets the
-- tracker does not know or may not show. Only items a tracker was asked about; items whose
-- document gives no status do not disagree with anything. Each item's drift and its place in
-- the table's order (by drift, incident date, newest first, incident title, title) are kept
-- per sync in action_item_facts.
-- uses: item_facts
-- Params: the filters;
--         $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with shown as (
    -- Cut to $first_rows on the keys alone; only the rows kept have their titles read.
    select item_no, drift_rank, count(*) over () as pmdash_rows_in_all
    from item_facts
    where drift is not null
    order by drift_rank
    limit cast($first_rows as bigint)
)
select
    f.drift,
    f.incident_date,
    f.incident_title,
    f.title,
    f.ticket,
    case when regexp_matches(f.ticket_url, '^https?://') then f.ticket_url end as ticket_url,
    f.tracker_kind as tracker,
    f.document_status,
    f.tracker_status,
    cast(f.tracker_checked_at as date) as checked_on,
    case when regexp_matches(f.incident_url, '^https?://') then f.incident_url end as incident_url,
    s.pmdash_rows_in_all
from shown s
join action_item_facts f on f.item_no = s.item_no
order by s.drift_rank
