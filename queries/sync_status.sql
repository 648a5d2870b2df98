-- The last sync of each source, and how many incidents the store holds from it now.
-- Params: none
select
    r.source_name as source,
    r.status,
    r.started_at,
    r.finished_at,
    r.documents_seen,
    r.documents_loaded,
    r.documents_unchanged,
    r.documents_skipped,
    r.documents_failed,
    r.message,
    (select count(*) from incidents i where i.source_name = r.source_name) as incidents_stored
from sync_runs r
qualify row_number() over (partition by r.source_name order by r.started_at desc) = 1
order by source
