-- Fragment: the incident × service rows the sidebar's basis switch counts (SPEC §7): all of
-- them, or only the stated and curated ones when mentioned values are switched off.
-- Params: $bases (VARCHAR[]: the bases that count)
select * from incident_services where list_contains(cast($bases as varchar[]), basis)
