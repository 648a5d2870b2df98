"""The quarterly reliability review (SPEC §7.4): one quarter against the one before it.

The global filters apply except their date range, which the quarter replaces. Recurring
patterns are those with an incident in the quarter, counting incidents back one window
before it, so a pattern that straddles the quarter's start is still seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import duckdb
import pandas as pd

from queries import action_items, incidents, recurrence, runner, tables
from queries.filters import Filters
from queries.runner import run
from queries.values import number

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a quarter; write it like 2025Q3.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)


def latest_complete_quarter(today: date) -> Quarter:
    return Quarter.containing(today).previous()


def resolve(text: str, today: date) -> Quarter:
    """A quarter as written (2025Q3), or `last`: the last complete quarter on `today`, so a
    scheduled `pmdash report --quarter last` reviews the quarter that just ended."""
    if text.strip().lower() == "last":
        return latest_complete_quarter(today)
    return Quarter.parse(text)


def quarters_with_data(conn: duckdb.DuckDBPyConnection, today: date) -> list[Quarter]:
    """Quarters from the first post-mortem's to today's, newest first."""
    first = incidents.date_bounds(conn).iloc[0]["first_date"]
    last = Quarter.containing(today)
    quarter = Quarter.containing(first.date()) if pd.notna(first) else last.previous()
    found = []
    while quarter.start <= last.start:
        found.append(quarter)
        quarter = quarter.next()
    return found[::-1]


COMPARISON_COLUMNS = ["metric", "quarter", "previous_quarter", "change"]


@dataclass(slots=True)
class QuarterReview:
    quarter: Quarter
    filters: Filters
    dim: str
    window_days: int
    threshold: int
    comparison: pd.DataFrame
    severe: pd.DataFrame
    patterns: pd.DataFrame
    pattern_incidents: pd.DataFrame
    items_by_owner: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def incidents(self) -> int:
        return int(self.comparison.loc[self.comparison["metric"] == "Incidents", "quarter"].iloc[0])


def _metrics(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    quarter: Quarter,
    owners: pd.DataFrame,
    *,
    dim: str,
    window: int,
) -> dict[str, float | None]:
    scoped = filters.between(quarter.start, quarter.end)
    totals = incidents.totals(conn, scoped).iloc[0]
    repeats = recurrence.repeat_summary(conn, scoped, dim=dim, window_days=window).iloc[0]
    summary = action_items.summary(conn, scoped, as_of=quarter.end).iloc[0]
    return {
        "Incidents": int(totals["incidents"]),
        "SEV1–2 incidents": int(totals["sev1_2"]),
        "Repeat rate": number(repeats["repeat_rate"]),
        "Closure rate of the quarter's action items": number(summary["closure_rate"]),
        "Action items opened": int(owners["opened"].sum()),
        "Action items closed": int(owners["closed"].sum()),
        "Action items overdue at quarter end": int(owners["overdue"].sum()),
    }


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _items_by_owner(
    conn: duckdb.DuckDBPyConnection, filters: Filters, quarter: Quarter
) -> pd.DataFrame:
    # Items opened or closed in the quarter may belong to older incidents: no date bound here.
    return run(
        conn,
        "items_by_owner_in_period",
        **filters.between(None, None).params(),
        period_start=quarter.start,
        period_end=quarter.end,
        as_of=quarter.end,
    )


def review(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    quarter: Quarter,
    *,
    dim: str,
    window_days: int,
    threshold: int,
    pattern_rows: int | None = None,
) -> QuarterReview:
    """The review of `quarter`. With `pattern_rows`, only the first that many incidents of
    its recurring patterns are read (the page shows no more; a quarter of a large store can
    hold tens of thousands), and `frame.attrs["rows_in_all"]` says how many there are:
    `complete` gives the review with all of them, for the pack."""
    owners = _items_by_owner(conn, filters, quarter)
    owners_before = _items_by_owner(conn, filters, quarter.previous())
    now = _metrics(conn, filters, quarter, owners, dim=dim, window=window_days)
    before = _metrics(conn, filters, quarter.previous(), owners_before, dim=dim, window=window_days)
    comparison = pd.DataFrame(
        [
            {
                "metric": metric,
                "quarter": value,
                "previous_quarter": before[metric],
                "change": _change(value, before[metric]),
            }
            for metric, value in now.items()
        ],
        columns=COMPARISON_COLUMNS,
        dtype=object,  # counts stay whole numbers beside the rates
    )
    in_quarter = filters.between(quarter.start, quarter.end)
    lookback = filters.between(quarter.start - timedelta(days=window_days), quarter.end)
    result = QuarterReview(
        quarter=quarter,
        filters=filters,
        dim=dim,
        window_days=window_days,
        threshold=threshold,
        comparison=comparison,
        severe=incidents.severe(conn, in_quarter),
        patterns=recurrence.patterns(
            conn,
            lookback,
            dim=dim,
            window_days=window_days,
            threshold=threshold,
            active_from=quarter.start,
        ),
        pattern_incidents=_pattern_incidents(
            conn,
            filters,
            quarter,
            dim=dim,
            window_days=window_days,
            threshold=threshold,
            rows=pattern_rows,
        ),  # fmt: skip
        items_by_owner=owners,
    )
    _name_tables(result)
    return result


def complete(conn: duckdb.DuckDBPyConnection, review: QuarterReview) -> QuarterReview:
    """`review` with every incident of its recurring patterns (see `review`'s `pattern_rows`)."""
    if tables.rows_in_all(review.pattern_incidents) == len(review.pattern_incidents):
        return review
    whole = replace(
        review,
        pattern_incidents=_pattern_incidents(
            conn, review.filters, review.quarter, dim=review.dim,
            window_days=review.window_days, threshold=review.threshold,
        ),
    )  # fmt: skip
    _name_tables(whole)
    return whole


def _pattern_incidents(
    conn: duckdb.DuckDBPyConnection,
    filters: Filters,
    quarter: Quarter,
    *,
    dim: str,
    window_days: int,
    threshold: int,
    rows: int | None = None,
) -> pd.DataFrame:
    """The incidents of the patterns with an incident in the quarter (counted back one window
    before it); with `rows`, the first `rows` of them and the count of all."""
    lookback = filters.between(quarter.start - timedelta(days=window_days), quarter.end)

    def read() -> pd.DataFrame:
        return recurrence.pattern_incidents(
            conn, lookback, dim=dim, window_days=window_days, threshold=threshold,
            active_from=quarter.start,
        )  # fmt: skip

    if rows is None:
        return read()
    with runner.first_rows(rows) as counted:
        frame = read()
    frame.attrs[tables.ROWS_IN_ALL] = counted.rows_in_all
    return frame


def _name_tables(result: QuarterReview) -> None:
    result.tables = {
        "comparison": result.comparison,
        "sev1_2_incidents": result.severe,
        "recurring_patterns": result.patterns,
        "recurring_pattern_incidents": result.pattern_incidents,
        "action_items_by_owner": result.items_by_owner,
    }
