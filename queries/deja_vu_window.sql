-- The window (days) déjà vu was kept for at the last sync (loaders/enrich/recurrence_facts.py),
-- and the threshold its default recurring patterns were kept for; NULL when the store has no
-- dated incident with a dimension value (or, for the threshold, was synced before it was kept).
-- Params: none
select max(deja_vu_window_days) as deja_vu_window_days,
       max(pattern_threshold) as pattern_threshold
from incident_recurrence
