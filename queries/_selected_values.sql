-- Fragment: the rows of incident_values (the repeat dimension's values) of the incidents
-- the filters select. With no filter but the default kinds and bases ($unfiltered) every
-- row of incident_values is one: no semi-join with the selection (a branch whose
-- constant-false filter DuckDB drops, which an OR would not be).
-- uses: filtered_facts, incident_values
-- Params: the filters; $dim; $unfiltered (BOOLEAN; see queries/recurrence.py)
select * from incident_values where cast($unfiltered as boolean)
union all
select v.* from incident_values v
where not cast($unfiltered as boolean)
  and v.incident_id in (select incident_id from filtered_facts)
