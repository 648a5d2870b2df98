-- The values the sidebar filters offer, from what the store holds (kept at sync in
-- `filter_values`, loaders/enrich/incident_facts.py); severities most severe first,
-- 'unrated' (no severity stated) last.
-- Params: none
select filter, value, sort_key
from filter_values
order by filter, sort_key, value
