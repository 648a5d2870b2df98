-- Repeat rate per dimension value: of the selected incidents with that value, how many had
-- an earlier incident with the same value within the window.
-- uses: repeats
-- Params: the filters; $dim; $window_days
select
    value,
    count(*) as incidents,
    count(*) filter (where is_repeat) as repeats,
    count(*) filter (where is_repeat) / count(*) as repeat_rate
from repeats
group by value
order by repeats desc, incidents desc, value
