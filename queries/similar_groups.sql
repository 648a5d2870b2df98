-- Similar incidents (SPEC §7 Recurrence): groups of incidents linked by similarity (directly
-- or through each other), newest group first. One row per selected incident that is similar
-- to another selected one, with the words its group's pairs share most.
-- uses: filtered_facts
-- Params: the filters; $first_rows (INTEGER: the first rows only, NULL = all; see runner.py)
with selected as (
    -- Only what the groups need of the selection: titles are joined to the rows shown.
    select incident_id, incident_date from filtered_facts
),
pairs as (
    select s.*
    from similar_incidents s
    where s.incident_id in (select incident_id from selected)
      and s.similar_incident_id in (select incident_id from selected)
),
members as (
    select m.*, d.incident_date
    from (
        select p.group_id, p.incident_id, count(*) as similar_to,
               max(p.similarity) as best_similarity
        from pairs p
        group by p.group_id, p.incident_id
    ) m
    join selected d on d.incident_id = m.incident_id
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
chosen as (
    select m.*, g.group_last_date, count(*) over () as pmdash_rows_in_all
    from members m
    join (select group_id, max(incident_date) as group_last_date from members group by group_id) g
      on g.group_id = m.group_id
    order by g.group_last_date desc nulls last, m.group_id, m.incident_date desc nulls last,
             m.incident_id
    limit cast($first_rows as bigint)
)
select
    c.group_id as "group",
    c.group_last_date,
    c.incident_date,
    i.title,
    c.similar_to,
    round(c.best_similarity, 2) as best_similarity,
    array_to_string(t.shared_terms, ', ') as shared_terms,
    c.incident_id,
    i.url,
    c.pmdash_rows_in_all
from chosen c
join group_terms t on t.group_id = c.group_id
join incident_facts i on i.incident_id = c.incident_id
order by c.group_last_date desc nulls last, "group", c.incident_date desc nulls last,
         c.incident_id
