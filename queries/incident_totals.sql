-- How many incidents the selection holds, how many are SEV1–2 (severity rank 1 or 2),
-- and how many have no date.
-- uses: filtered_facts
-- Params: the filters
select
    count(*) as incidents,
    count(*) filter (where severity_rank <= 2) as sev1_2,
    count(*) filter (where incident_date is null) as undated
from filtered_facts
