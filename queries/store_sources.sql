-- The sources whose documents built this store (not the enrichment steps that also write
-- sync_runs rows): a source with incidents, with problems per document, or whose last sync
-- saw documents. With its kind, incidents and when it was last synced.
-- Params: none
with names as (
    select source_name from incidents
    union select source_name from load_errors
    union select source_name from sync_runs where documents_seen > 0
)
select
    n.source_name as source,
    (select any_value(source_kind) from incidents i where i.source_name = n.source_name) as kind,
    (select count(*) from incidents i where i.source_name = n.source_name) as incidents,
    (select max(finished_at) from sync_runs r where r.source_name = n.source_name) as last_synced
from names n
order by source
