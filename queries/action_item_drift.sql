-- Drift (SPEC §6): action items whose document and tracker disagree (done in the document
-- but open in the tracker, or open in the document but closed in the tracker) and tickets the
-- tracker does not know or may not show. Only items a tracker was asked about; items whose
-- document gives no status do not disagree with anything.
-- uses: filtered_incidents, filtered_items
-- Params: the filters
select
    case
        when tracker_state = 'not_found' then 'tracker does not know the ticket'
        when tracker_state = 'forbidden' then 'tracker refuses to show the ticket'
        when document_status = 'done' then 'done in the document, open in the tracker'
        else 'open in the document, closed in the tracker'
    end as drift,
    incident_date,
    incident_title,
    title,
    ticket,
    case when regexp_matches(ticket_url, '^https?://') then ticket_url end as ticket_url,
    tracker_kind as tracker,
    document_status,
    tracker_status,
    cast(tracker_checked_at as date) as checked_on,
    incident_url
from filtered_items
where tracker_state in ('not_found', 'forbidden')
   or (tracker_state = 'found' and document_status = 'done'
       and tracker_status in ('open', 'in_progress'))
   or (tracker_state = 'found' and document_status in ('open', 'in_progress')
       and tracker_status in ('done', 'wont_do'))
order by drift, incident_date desc nulls last, incident_title, title
