-- Problems with single documents found by the last sync of each source: the document,
-- error or warning, and the message.
-- Params: $sources (VARCHAR[]; empty = all)
with last_sync as (
    select source_name, sync_id
    from sync_runs
    qualify row_number() over (partition by source_name order by started_at desc) = 1
)
select e.source_name as source, e.document, e.severity, e.message
from load_errors e
join last_sync l on l.sync_id = e.sync_id
where len(cast($sources as varchar[])) = 0
   or list_contains(cast($sources as varchar[]), e.source_name)
order by e.severity = 'warning', source, e.document
