-- The window (days) déjà vu was kept for at the last sync (loaders/enrich/recurrence_facts.py);
-- NULL when the store has no dated incident with a dimension value.
-- Params: none
select max(deja_vu_window_days) as deja_vu_window_days from incident_recurrence
