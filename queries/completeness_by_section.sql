-- Post-mortem completeness (SPEC §6): for each of the six sections, how many selected
-- post-mortems have it, and the share.
-- uses: filtered_facts
-- Params: the filters
select
    s.section,
    count(f.incident_id) as documents_with,
    (select count(*) from filtered_facts) as documents,
    count(f.incident_id) / nullif((select count(*) from filtered_facts), 0) as share
from (values (1, 'summary'), (2, 'timeline'), (3, 'contributing_factors'),
             (4, 'root_cause'), (5, 'impact'), (6, 'action_items')) s(position, section)
left join filtered_facts f on list_contains(f.sections, s.section)
group by s.section, s.position
order by s.position
