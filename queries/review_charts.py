"""The numbers behind the charts of the HTML quarterly report: the dashboard's charts for the
sections of the review (SPEC §7.4).

Trends (incidents by month, repeat rate and action-item status by quarter, time to close)
cover the reviewed quarter and the three before it, a year, so a review sees where the
quarter sits; the heatmap and overdue by owner are the quarter's own. Groups of similar
incidents, shown when no incident of the quarter names a service and a category, are those
active in the quarter, counted back one window like recurring patterns. Every period of a trend
is a row even when it had nothing, so the charts' axes run without gaps and the tables say 0.
Kept apart from `quarterly.review`, which the Quarterly review page runs on every view: these
queries run only when the HTML report is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from queries import action_items, incidents, recurrence, similar
from queries.quarterly import Quarter, QuarterReview

TREND_QUARTERS = 4


@dataclass(slots=True)
class ReviewCharts:
    quarters: list[Quarter]  # oldest first; the last is the reviewed quarter
    incidents_by_month: pd.DataFrame  # period, period_start, severity, incidents
    months: list[str]  # every month of the trend, oldest first
    service_category: pd.DataFrame  # service, category, incidents (the quarter)
    similar_groups: pd.DataFrame  # group, incidents, first_date, last_date, shared_terms
    repeat_rate_by_quarter: pd.DataFrame  # quarter, incidents, repeats, repeat_rate
    status_by_quarter: pd.DataFrame  # quarter, status, items
    overdue_by_owner: pd.DataFrame  # owner, overdue (on the quarter's last day)
    time_to_close: pd.DataFrame  # group, n, median_days, p90_days, small_n

    @property
    def first(self) -> Quarter:
        return self.quarters[0]


def trend_quarters(quarter: Quarter) -> list[Quarter]:
    quarters = [quarter]
    while len(quarters) < TREND_QUARTERS:
        quarters.insert(0, quarters[0].previous())
    return quarters


def _months(quarters: list[Quarter]) -> list[str]:
    return [f"{q.year}-{3 * q.number - 2 + i:02d}" for q in quarters for i in range(3)]


def _every_quarter(frame: pd.DataFrame, quarters: list[Quarter]) -> pd.DataFrame:
    """One row per quarter of the trend: quarters without incidents have 0 and no rate."""
    labels = [str(q) for q in quarters]
    full = frame.set_index("quarter").reindex(labels)
    full[["incidents", "repeats"]] = full[["incidents", "repeats"]].fillna(0).astype(int)
    return full.rename_axis("quarter").reset_index()


def collect(conn: duckdb.DuckDBPyConnection, review: QuarterReview) -> ReviewCharts:
    quarters = trend_quarters(review.quarter)
    trend = review.filters.between(quarters[0].start, review.quarter.end)
    quarter = review.filters.between(review.quarter.start, review.quarter.end)
    lookback = review.filters.between(
        review.quarter.start - timedelta(days=review.window_days), review.quarter.end
    )
    labels = [str(q) for q in quarters]
    repeats = recurrence.repeat_rate_by_quarter(
        conn, trend, dim=review.dim, window_days=review.window_days
    )
    # Items of the trend's incidents, by the quarter they were opened; an item opened after
    # the reviewed quarter is not part of this review.
    statuses = action_items.status_by_quarter(conn, trend)
    owners = review.items_by_owner
    return ReviewCharts(
        quarters=quarters,
        incidents_by_month=incidents.over_time(conn, trend, by="severity", period="month"),
        months=_months(quarters),
        service_category=recurrence.service_category_matrix(conn, quarter),
        similar_groups=_active_groups(similar.groups(conn, lookback), review.quarter.start),
        repeat_rate_by_quarter=_every_quarter(repeats, quarters),
        status_by_quarter=statuses[statuses["quarter"].isin(labels)].reset_index(drop=True),
        overdue_by_owner=owners.loc[owners["overdue"] > 0, ["owner", "overdue"]]
        .sort_values(["overdue", "owner"], ascending=[False, True])
        .reset_index(drop=True),
        time_to_close=action_items.time_to_close(conn, trend),
    )


def _active_groups(members: pd.DataFrame, active_from: date) -> pd.DataFrame:
    """One row per group of similar incidents (from its members' rows) with an incident on or
    after `active_from`, newest first; a group's id is its name (its earliest title)."""
    if members.empty:
        return pd.DataFrame(
            columns=["group", "incidents", "first_date", "last_date", "shared_terms"]
        )
    frame = members.groupby("group").agg(
        incidents=("incident_id", "nunique"),
        first_date=("incident_date", "min"),
        last_date=("incident_date", "max"),
        shared_terms=("shared_terms", "first"),
    )
    active = frame[pd.to_datetime(frame["last_date"]) >= pd.Timestamp(active_from)]
    active = active.sort_values(["last_date", "incidents"], ascending=False)
    return active.reset_index()[["group", "incidents", "first_date", "last_date", "shared_terms"]]
