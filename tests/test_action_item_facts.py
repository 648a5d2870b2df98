"""The Action items page's queries read action_item_facts (one row per item, kept by the last
sync step) instead of joining every item to its incident on every view. They must give what
the item-by-item computation gives for every sidebar filter and any day overdue is judged
at. The reference here is worked out in pandas from the `action-items` export
(action_items_list.sql), which still joins each item to its incident (_filtered_items.sql,
_items_as_of.sql), plus the raw columns of action_items it does not show.

Stores: the hand-built one (every status, past and future due dates), the sample corpus,
the real post-mortems of /work/shared/corpus synced with every default step, and the
hand-built one answered by trackers (drift, statuses from a tracker)."""

from __future__ import annotations

import itertools
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from tracker_setup import answered_hand_store

from loaders.store import connect_read_only
from queries import action_items
from queries.filters import Filters
from queries.quality import SMALL_N
from queries.runner import run

UNFINISHED = ("open", "in_progress", "unknown")
STATUSES = ("done", "open", "in_progress", "wont_do", "unknown")
DAYS = (date(2026, 6, 30), date(2026, 4, 10), date(2024, 1, 1), date(2030, 1, 1))


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return answered_hand_store(tmp_path_factory.mktemp("trackers"))


@pytest.fixture(params=["hand_db", "sample_db", "corpus_db", "tracker_db"])
def conn(request: pytest.FixtureRequest) -> duckdb.DuckDBPyConnection:
    return connect_read_only(request.getfixturevalue(request.param))


def selections(conn: duckdb.DuckDBPyConnection) -> list[Filters]:
    """Every kind of sidebar filter, each with values the store has."""

    def values(sql: str) -> tuple[str, ...]:
        return tuple(v for (v,) in conn.execute(sql).fetchall())

    severities = values("select distinct coalesce(severity, 'unrated') from incidents order by 1")
    sources = values("select distinct source_name from incidents order by 1")
    services = values("select service from incident_services group by 1 order by count(*) desc")
    categories = values(
        "select category from incident_categories group by 1 order by count(*) desc"
    )
    first, last = conn.execute(
        "select min(incident_date), max(incident_date) from incidents"
    ).fetchone()
    middle = first + (last - first) / 2
    chosen = [
        Filters(),
        Filters(kinds=("incident", "drill", "near_miss")),
        Filters(start=middle),
        Filters(end=middle),
        Filters(start=first, end=middle),
        Filters(severities=severities[:1]),
        Filters(severities=severities[-2:]),
        Filters(sources=sources[:1]),
        Filters(services=services[:1]),
        Filters(services=services[:2], bases=("stated", "curated")),
        Filters(categories=categories[:1]),
        Filters(categories=categories[:1], bases=("stated",)),
    ]
    return chosen


def listing(conn: duckdb.DuckDBPyConnection, filters: Filters, as_of: date) -> pd.DataFrame:
    """The selection item by item, as the export lists it, with the raw columns beside."""
    items = action_items.listing(conn, filters, as_of=as_of)
    raw = conn.execute(
        "select action_item_id, ticket_url as raw_ticket_url, tracker_state, document_status, "
        "tracker_status as raw_tracker_status from action_items"
    ).df()
    vague = conn.execute("select action_item_id, reason from vague_action_items").df()
    return items.merge(raw, on="action_item_id", how="left").merge(
        vague, on="action_item_id", how="left"
    )


def per_status(frame: pd.DataFrame) -> dict[str, int]:
    return {s: int((frame["status"] == s).sum()) for s in STATUSES}


def test_the_summary_equals_the_item_by_item_counts(conn: duckdb.DuckDBPyConnection) -> None:
    checked = 0
    for filters, as_of in itertools.product(selections(conn), DAYS):
        items = listing(conn, filters, as_of)
        got = action_items.summary(conn, filters, as_of=as_of).iloc[0]
        counts = per_status(items)
        assert {s: int(got[s]) for s in STATUSES} == counts, filters
        assert int(got["items"]) == len(items)
        assert int(got["overdue"]) == int(items["is_overdue"].sum()), (filters, as_of)
        done = items[items["status"] == "done"]
        both = done[done["closed_date"].notna() & done["due_date"].notna()]
        assert int(got["done_with_both_dates"]) == len(both)
        on_time = (both["closed_date"] <= both["due_date"]).sum()
        expected = on_time / len(both) if len(both) else None
        assert got["on_time_rate"] == pytest.approx(expected, nan_ok=True) or (
            expected is None and pd.isna(got["on_time_rate"])
        )
        checked += len(items)
    assert checked > 0  # not vacuous


def test_the_tables_by_status_equal_the_item_by_item_counts(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    for filters, as_of in itertools.product(selections(conn), DAYS[:2]):
        items = listing(conn, filters, as_of)
        # Status by quarter opened (created, else the incident date).
        opened = pd.to_datetime(items["opened_date"])
        quarter = (opened.dt.year.astype("Int64").astype(str) + "Q"
                   + opened.dt.quarter.astype("Int64").astype(str)).where(opened.notna(), "no date")  # fmt: skip
        expected = items.assign(quarter=quarter).groupby(["quarter", "status"]).size()
        got = action_items.status_by_quarter(conn, filters).set_index(["quarter", "status"])
        assert got["items"].sort_index().to_dict() == expected.sort_index().to_dict()
        # By owner: counts per status and overdue.
        owners = items.assign(owner=items["owner"].fillna("(no owner)"))
        got = action_items.by_owner(conn, filters, as_of=as_of).set_index("owner")
        for owner, group in owners.groupby("owner"):
            assert {s: int(got.loc[owner, s]) for s in STATUSES} == per_status(group)
            assert int(got.loc[owner, "overdue"]) == int(group["is_overdue"].sum())
        assert len(got) == owners["owner"].nunique()
        # Status sources.
        got = action_items.status_sources(conn, filters).iloc[0]
        from_tracker = items["status_basis"] == "tracker"
        assert int(got["from_tracker"]) == int(from_tracker.sum())
        assert int(got["unknown"]) == int((~from_tracker & (items["status"] == "unknown")).sum())
        assert int(got["asked_a_tracker"]) == int(items["tracker_state"].notna().sum())
        assert int(got["with_ticket"]) == int(items["ticket"].notna().sum())


def test_by_service_counts_each_item_under_each_counted_service(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    for filters in selections(conn):
        items = listing(conn, filters, DAYS[0])
        services = conn.execute(
            "select incident_id, service from incident_services "
            "where list_contains(cast($bases as varchar[]), basis)",
            {"bases": list(filters.bases)},
        ).df()
        rows = items.merge(services, on="incident_id")
        if filters.services:
            rows = rows[rows["service"].isin(filters.services)]
        got = action_items.by_service(conn, filters, as_of=DAYS[0]).set_index("service")
        assert len(got) == rows["service"].nunique()
        for service, group in rows.groupby("service"):
            assert {s: int(got.loc[service, s]) for s in STATUSES} == per_status(group)
            assert int(got.loc[service, "overdue"]) == int(group["is_overdue"].sum())


def test_ageing_time_to_close_and_hygiene_equal_the_item_by_item_values(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    for filters, as_of in itertools.product(selections(conn), DAYS[:2]):
        items = listing(conn, filters, as_of)
        # Ageing: unfinished items opened by as_of, by days since opened.
        opened = pd.to_datetime(items["opened_date"])
        aged = items[
            items["status"].isin(UNFINISHED) & (opened.isna() | (opened <= pd.Timestamp(as_of)))
        ]
        days = (pd.Timestamp(as_of) - pd.to_datetime(aged["opened_date"])).dt.days
        bucket = pd.cut(days, [-np.inf, 30, 90, 180, 365, np.inf], labels=[
            "0–30 days", "31–90 days", "91–180 days", "181–365 days", "over 365 days"
        ]).astype(object).where(days.notna(), "no date")  # fmt: skip
        expected = aged.assign(age_bucket=bucket).groupby(["age_bucket", "status"]).size()
        got = action_items.ageing(conn, filters, as_of=as_of).set_index(["age_bucket", "status"])
        assert got["items"].sort_index().to_dict() == expected.sort_index().to_dict()
        # Time to close per severity: done items with both dates, days opened to closed.
        done = items[(items["status"] == "done") & items["closed_date"].notna()
                     & items["opened_date"].notna()]  # fmt: skip
        closing = (
            pd.to_datetime(done["closed_date"]) - pd.to_datetime(done["opened_date"])
        ).dt.days
        got = action_items.time_to_close(conn, filters).set_index("group")
        for group, values in [("all items", closing), *closing.groupby(done["severity"])]:
            assert int(got.loc[group, "n"]) == len(values)
            assert got.loc[group, "median_days"] == pytest.approx(values.median(), nan_ok=True)
            assert got.loc[group, "p90_days"] == pytest.approx(values.quantile(0.9), nan_ok=True)
            assert bool(got.loc[group, "small_n"]) == (len(values) < SMALL_N)
        # Hygiene per source.
        got = action_items.hygiene(conn, filters).set_index("source")
        for source, group in items.groupby("source"):
            assert int(got.loc[source, "items"]) == len(group)
            assert got.loc[source, "with_owner"] == pytest.approx(group["owner"].notna().mean())
            ticket = group["ticket"].notna() | group["raw_ticket_url"].notna()
            assert got.loc[source, "with_ticket"] == pytest.approx(ticket.mean())
            assert got.loc[source, "vague"] == pytest.approx(group["reason"].notna().mean())


def test_the_lists_hold_the_item_by_item_rows_in_their_order(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    for filters, as_of in itertools.product(selections(conn), DAYS):
        items = listing(conn, filters, as_of)
        # Overdue: due date order, then id.
        overdue = items[items["is_overdue"]].sort_values(["due_date", "action_item_id"])
        got = action_items.overdue(conn, filters, as_of=as_of)
        assert got["action_item_id"].tolist() == overdue["action_item_id"].tolist()
        assert got["days_overdue"].tolist() == [
            (pd.Timestamp(as_of) - pd.Timestamp(d)).days for d in overdue["due_date"]
        ]  # fmt: skip
        assert got["incident_title"].tolist() == overdue["incident_title"].tolist()
        # Vague: unfinished, titled, newest incident first, then id.
        vague = items[items["reason"].notna() & items["title"].notna()
                      & items["status"].isin(UNFINISHED)]  # fmt: skip
        vague = vague.sort_values(["incident_date", "action_item_id"],
                                  ascending=[False, True], na_position="last")  # fmt: skip
        got = action_items.vague(conn, filters)
        assert got["action_item_id"].tolist() == vague["action_item_id"].tolist()
        assert got["reason"].tolist() == vague["reason"].tolist()
        # Drift: what the tracker said against the document, by drift then newest incident.
        state, document, tracker = (
            items["tracker_state"],
            items["document_status"],
            items["raw_tracker_status"],
        )
        drifted = items[
            state.isin(["not_found", "forbidden"])
            | ((state == "found") & (document == "done") & tracker.isin(["open", "in_progress"]))
            | ((state == "found") & document.isin(["open", "in_progress"])
               & tracker.isin(["done", "wont_do"]))
        ]  # fmt: skip
        got = action_items.drift(conn, filters)
        assert sorted(got["ticket"].fillna("")) == sorted(drifted["ticket"].fillna(""))
        keys = got[["drift", "incident_date", "incident_title", "title"]].fillna("")
        assert keys.values.tolist() == sorted(
            keys.values.tolist(), key=lambda r: (r[0], _newest_first(r[1]), r[2], r[3])
        )


def _newest_first(day: object) -> tuple[int, int]:
    # incident_date desc nulls last
    return (1, 0) if day == "" else (0, -pd.Timestamp(day).toordinal())


def test_the_tracker_store_has_drift(tracker_db: str) -> None:
    # Not vacuous: the tracker store's items disagree with their tracker (test_queries_trackers).
    conn = connect_read_only(tracker_db)
    assert len(action_items.drift(conn, Filters())) == 4


def test_items_by_owner_in_a_period_equal_the_item_by_item_counts(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    # The Quarterly review's opened, closed and overdue per owner (items_by_owner_in_period.sql).
    periods = [(date(2026, 4, 1), date(2026, 6, 30)), (date(2024, 1, 1), date(2024, 3, 31)),
               (date(2019, 1, 1), date(2026, 12, 31))]  # fmt: skip
    for filters, (start, end) in itertools.product(selections(conn), periods):
        items = listing(conn, filters, end)
        opened = pd.to_datetime(items["opened_date"]).between(
            pd.Timestamp(start), pd.Timestamp(end)
        )
        closed = (items["status"] == "done") & pd.to_datetime(items["closed_date"]).between(
            pd.Timestamp(start), pd.Timestamp(end)
        )
        counts = (
            items.assign(
                owner=items["owner"].fillna("(no owner)"),
                opened=opened,
                closed=closed,
                overdue=items["is_overdue"],
            )  # fmt: skip
            .groupby("owner")[["opened", "closed", "overdue"]]
            .sum()
            .reset_index()
        )
        counts = counts[counts[["opened", "closed", "overdue"]].sum(axis=1) > 0]
        counts = counts.assign(total=counts[["opened", "closed", "overdue"]].sum(axis=1))
        counts = counts.sort_values(["total", "owner"], ascending=[False, True])
        got = run(conn, "items_by_owner_in_period", **filters.params(), period_start=start,
                  period_end=end, as_of=end)  # fmt: skip
        assert (
            got.values.tolist() == counts[["owner", "opened", "closed", "overdue"]].values.tolist()
        )
