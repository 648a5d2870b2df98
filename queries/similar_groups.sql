-- Similar incidents (SPEC §7 Recurrence): groups of incidents linked by similarity (directly
-- or through each other), newest group first. One row per selected incident that is similar
-- to another selected one, with the words its group's pairs share most.
-- uses: filtered_incidents
-- Params: the filters
with pairs as (
    select s.*
    from similar_incidents s
    where s.incident_id in (select incident_id from filtered_incidents)
      and s.similar_incident_id in (select incident_id from filtered_incidents)
),
members as (
    select p.group_id, p.incident_id, count(*) as similar_to, max(p.similarity) as best_similarity
    from pairs p
    group by p.group_id, p.incident_id
),
group_terms as (
    select group_id, list(term order by pairs desc, term)[1:5] as shared_terms
    from (
        select group_id, term, count(*) as pairs
        from (
            select group_id, unnest(shared_terms) as term
            from pairs
            where incident_id < similar_incident_id
        )
        group by group_id, term
    )
    group by group_id
),
rows as (
    select
        m.group_id,
        max(f.incident_date) over (partition by m.group_id) as group_last_date,
        f.incident_date,
        f.title,
        m.similar_to,
        round(m.best_similarity, 2) as best_similarity,
        array_to_string(t.shared_terms, ', ') as shared_terms,
        f.incident_id,
        case when regexp_matches(f.source_url, '^https?://') then f.source_url end as url
    from members m
    join filtered_incidents f on f.incident_id = m.incident_id
    join group_terms t on t.group_id = m.group_id
)
select group_id as "group", group_last_date, incident_date, title, similar_to, best_similarity,
       shared_terms, incident_id, url
from rows
order by group_last_date desc nulls last, "group", incident_date desc nulls last, incident_id
