-- The first and last incident dates in the store, and how many incidents have no date:
-- the range of quarters the Quarterly review offers.
-- Params: none
select min(incident_date) as first_date, max(incident_date) as last_date,
       count(*) filter (where incident_date is null) as undated
from incidents
