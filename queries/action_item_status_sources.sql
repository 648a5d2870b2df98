-- Where the selected action items' effective status comes from (SPEC §6, the "status from"
-- caption): the tracker, the document (a field, checkbox, marker, emoji or heading), or
-- nowhere (unknown); how many items a tracker was asked about, and how many name a ticket.
-- uses: item_facts
-- Params: the filters
select
    count(*) as items,
    count(*) filter (where status_basis = 'tracker') as from_tracker,
    count(*) filter (where status_basis <> 'tracker' and status <> 'unknown') as from_document,
    count(*) filter (where status_basis <> 'tracker' and status = 'unknown') as unknown,
    count(*) filter (where asked_a_tracker) as asked_a_tracker,
    count(*) filter (where has_ticket) as with_ticket
from item_facts
