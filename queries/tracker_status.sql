-- Each connected tracker for Data & sources (SPEC §4.4): its last look-up (when, tickets,
-- how many were asked, requests made, why it stopped early and when the limit resets), its
-- tickets by state, and how its last step ended in sync_runs.
-- Params: none
with last_lookup as (
    select *
    from tracker_lookups
    qualify row_number() over (partition by tracker_kind order by looked_up_at desc) = 1
),
states as (
    select
        tracker_kind,
        count(*) filter (where state = 'found') as found,
        count(*) filter (where state = 'not_found') as not_found,
        count(*) filter (where state = 'forbidden') as forbidden,
        count(*) filter (where state = 'not_checked') as not_checked
    from tracker_tickets
    group by tracker_kind
),
last_run as (
    select source_name, status, message
    from sync_runs
    where starts_with(source_name, 'tracker:')
    qualify row_number() over (partition by source_name order by started_at desc) = 1
)
select
    l.tracker_kind as tracker,
    l.looked_up_at as last_look_up,
    l.tickets,
    coalesce(s.found, 0) as found,
    coalesce(s.not_found, 0) as not_found,
    coalesce(s.forbidden, 0) as forbidden,
    coalesce(s.not_checked, 0) as not_checked,
    l.asked,
    l.requests,
    r.status as last_sync,
    coalesce(l.stopped, case when r.status = 'failed' then r.message end) as problem,
    l.resets_at
from last_lookup l
left join states s on s.tracker_kind = l.tracker_kind
left join last_run r on r.source_name = 'tracker:' || l.tracker_kind
order by tracker
