-- Distinct action-item titles per source with how many items carry each, so the vague-item
-- rule (queries/hygiene.py) runs once per title rather than once per item.
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select source, title, count(*) as items
from filtered_items
group by source, title
