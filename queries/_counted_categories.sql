-- Fragment: the incident × category rows the sidebar's basis switch counts (SPEC §7): all
-- of them, or only the stated and curated ones when inferred values are switched off.
-- Params: $bases (VARCHAR[]: the bases that count)
select * from incident_categories where list_contains(cast($bases as varchar[]), basis)
