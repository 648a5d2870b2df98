-- Fragment: each filtered incident with each of its dimension values (SPEC §6 "repeat
-- incident"): `is_repeat` when an earlier incident with the same value began at most
-- $window_days days before it (repeat_flags, for the incidents the filters select).
-- uses: filtered_facts, repeat_flags
-- Params: those of filtered_facts and repeat_flags
select r.*
from repeat_flags r
join filtered_facts f on f.incident_id = r.incident_id
