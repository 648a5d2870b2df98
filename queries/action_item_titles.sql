-- Distinct action-item titles per source that the vague-item rule (queries/hygiene.py) might
-- flag, with how many items carry each; the rule itself then judges each title once. Titles
-- it could never flag are left out here: $min_words or more words and no vague verb at the
-- start. Only whitespace-separated tokens with an ASCII letter or digit are counted, which
-- never counts more words than the rule does, so no vague title is lost.
-- uses: filtered_incidents, filtered_items
-- Params: the filters; $min_words (INTEGER); $vague_start (VARCHAR, a regular expression)
with titles as (
    select source, title, count(*) as items from filtered_items group by source, title
)
select source, title, items
from titles
where title is null
   or len(regexp_extract_all(title, '[^\s]*[A-Za-z0-9][^\s]*')) < $min_words
   or regexp_matches(lower(title), $vague_start)
