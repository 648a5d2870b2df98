"""The Overview's KPI tiles: this period against the previous period of the same length.

"This period" is the filter's date range; an open end means today, an open start the first
post-mortem's date. The previous period ends the day before this one starts. Overdue items
are counted on the period's last day (today at most), closure over the items of the
period's incidents as they stand now.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from queries import action_items, incidents, recurrence
from queries.filters import Filters
from queries.values import number

KPI_COLUMNS = ["metric", "value", "previous", "change", "period", "previous_period", "note"]


def period_bounds(
    conn: duckdb.DuckDBPyConnection, filters: Filters, today: date
) -> tuple[date, date]:
    bounds = incidents.date_bounds(conn).iloc[0]
    first = bounds["first_date"]
    start = filters.start or (first.date() if pd.notna(first) else today)
    end = filters.end or today
    return start, max(start, end)


def _values(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    repeat_rate: float | None,
    as_of: date,
) -> dict[str, float | None]:
    totals = incidents.totals(conn, filters).iloc[0]
    items = action_items.summary(conn, filters, as_of=as_of).iloc[0]
    return {
        "Incidents": int(totals["incidents"]),
        "SEV1–2 incidents": int(totals["sev1_2"]),
        "Repeat rate": repeat_rate,
        "Closure rate": number(items["closure_rate"]),
        "Overdue action items": int(items["overdue"]),
    }


def _repeat_rates(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    previous: Filters | None,
    dim: str,
    window_days: int,
) -> dict[str, float | None]:
    """The repeat rate of this period ('current') and of the previous one, if it is wanted."""
    if previous is None:
        summary = recurrence.repeat_summary(conn, filters, dim=dim, window_days=window_days)
        return {"current": number(summary.iloc[0]["repeat_rate"]), "previous": None}
    # Both periods in one query: working out the repeat flags is the costly part, and it is
    # the same for both. Alone, this period's query is cheaper than the pair.
    both = recurrence.repeat_summary_by_period(
        conn, filters, previous, dim=dim, window_days=window_days
    )
    return {str(period): number(rate) for period, rate in both["repeat_rate"].items()}


def kpis(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    dim: str,
    window_days: int,
    today: date,
) -> pd.DataFrame:
    """One row per tile: value now, in the previous period (None when no post-mortem is that
    old), the change, and the two periods as text."""
    start, end = period_bounds(conn, filters, today)
    previous_filters = filters.previous_period(start, end)
    assert previous_filters.start is not None and previous_filters.end is not None
    first = incidents.date_bounds(conn).iloc[0]["first_date"]
    covered = pd.notna(first) and previous_filters.end >= first.date()
    rates = _repeat_rates(conn, filters, previous_filters if covered else None, dim, window_days)
    current = _values(conn, filters, repeat_rate=rates["current"], as_of=min(end, today))
    previous = (
        _values(conn, previous_filters, repeat_rate=rates["previous"], as_of=previous_filters.end)
        if covered
        else dict.fromkeys(current)
    )
    note = ""
    if covered and previous_filters.start < first.date():
        note = "the previous period starts before the first post-mortem"
    elif not covered:
        note = "no post-mortem is as old as the previous period"
    rows = []
    for metric, value in current.items():
        before = previous[metric]
        change = None if value is None or before is None else value - before
        rows.append(
            {
                "metric": metric,
                "value": value,
                "previous": before,
                "change": change,
                "period": f"{start} to {end}",
                "previous_period": f"{previous_filters.start} to {previous_filters.end}",
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=KPI_COLUMNS, dtype=object)  # counts stay whole beside rates
