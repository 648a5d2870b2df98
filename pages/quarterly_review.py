"""Quarterly review: one quarter against the previous one, its SEV1–2 incidents, recurring
patterns, action items by owner, and the downloadable pack (Markdown and HTML report + CSV zip)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from pages.ui import data, gaps, sidebar
from pages.ui.navigation import run_page
from pages.ui.widgets import download_button, rate_tile, table_block
from queries import incidents, quarterly, recurrence, report, report_html, review_charts
from queries.filters import DIMENSION_LABELS
from queries.tables import ROWS_SHOWN
from queries.values import number

LATEST = "latest complete quarter"


def render() -> None:
    st.title("Quarterly review")
    view = sidebar.current_view()
    latest = quarterly.latest_complete_quarter(view.today)
    # The default option is a rule, not a quarter: a bound widget leaves its default out of the
    # URL, so a link to an explicitly chosen quarter keeps naming it, and a link without one
    # keeps meaning "the latest complete quarter".
    choices = [LATEST, *(str(q) for q in data.call(quarterly.quarters_with_data, view.today))]
    chosen = st.selectbox("Quarter", choices, key="quarter", bind="query-params",
                          help=f"{LATEST}: {latest} today.")  # fmt: skip
    quarter = latest if chosen in (None, LATEST) else quarterly.Quarter.parse(chosen)
    review = data.call(quarterly.review, view.filters, quarter, dim=view.dim,
                       window_days=view.window_days, threshold=view.threshold,
                       pattern_rows=ROWS_SHOWN)  # fmt: skip
    # The pack and the pattern incidents' CSV hold every incident: read when clicked.
    conn = data.connection()

    def complete() -> quarterly.QuarterReview:
        return quarterly.complete(conn, review)

    previous = quarter.previous()
    st.caption(
        f"{quarter} ({quarter.start} to {quarter.end}) against {previous}. The sidebar's "
        "filters apply, except its dates: the quarter replaces them."
    )

    report_name, zip_name = report.file_names(review)
    left, middle, right = st.columns(3)
    with left:
        download_button("Report (Markdown)", lambda: report.markdown(complete()), file_name=report_name,
                        mime="text/markdown", key="pack-report", icon=":material/description:")  # fmt: skip
    with middle:
        download_button("Report with charts (HTML)", _html(complete),
                        file_name=report_html.file_name(review), mime="text/html",
                        key="pack-html", icon=":material/bar_chart:")  # fmt: skip
    with right:
        download_button("CSVs behind it (zip)", lambda: report.csv_zip(complete()), file_name=zip_name,
                        mime="application/zip", key="pack-zip", icon=":material/folder_zip:")  # fmt: skip

    if review.incidents == 0:
        st.info(f"No incidents this quarter.{_latest_with_incidents(quarter)}")
    st.subheader(f"{quarter} against {previous}")
    comparison = review.comparison
    rows = list(comparison.itertuples(index=False))
    for line in (rows[:4], rows[4:]):  # seven tiles in one row would cut their labels
        for tile, row in zip(st.columns(4), line, strict=False):
            delta = (
                None if number(row.change) is None else report.format_change(row.metric, row.change)
            )
            help = f"{previous}: {report.format_value(row.metric, row.previous_quarter)}"
            if row.metric in report.RATE_METRICS:
                rate_tile(tile, row.metric, row.quarter, help=help, delta=delta, delta_color="off")
            else:
                tile.metric(row.metric, report.format_value(row.metric, row.quarter),
                            delta=delta, delta_color="off", help=help)  # fmt: skip
    table_block(comparison, "comparison", folded="The numbers behind the tiles")

    st.subheader("SEV1–2 incidents")
    table_block(
        review.severe,
        "sev1_2_incidents",
        opens="incident_id",
        empty="No SEV1–2 incidents this quarter.",
    )

    dim = DIMENSION_LABELS[review.dim]
    st.subheader(f"Recurring patterns (by {dim})")
    empty = ""
    if review.patterns.empty:  # why, with the quarter's numbers: asked for only then
        counts = data.call(incidents.field_counts, view.filters.between(quarter.start, quarter.end))
        note = recurrence.dimension_note(counts, review.dim)
        empty = (f"No recurring patterns: no {dim} had {review.threshold} or more incidents "
                 f"within {review.window_days} days including one this quarter."
                 + (f" {note}. {gaps.advice(view, review.dim)}" if note else ""))  # fmt: skip
    table_block(review.patterns, "recurring_patterns", empty=empty)
    if not review.patterns.empty:
        table_block(review.pattern_incidents, "recurring_pattern_incidents", opens="incident_id",
                    whole=lambda: complete().pattern_incidents)  # fmt: skip

    st.subheader("Action items opened, closed and overdue by owner")
    table_block(review.items_by_owner, "action_items_by_owner",
                empty="No action items were opened, closed or overdue this quarter.")  # fmt: skip
    st.caption(
        "Opened: created in the quarter, else its incident's date is in it. Closed: done with a "
        "closing date in the quarter. Overdue: not done and due before the quarter's last day."
    )


def _latest_with_incidents(shown: quarterly.Quarter) -> str:
    """Where to look instead when the store ends before the quarter shown: a real corpus read
    today opens on an empty latest complete quarter."""
    last = data.call(incidents.date_bounds).iloc[0]["last_date"]
    if pd.isna(last) or last.date() >= shown.start:
        return ""
    newest = quarterly.Quarter.containing(last.date())
    return f" The newest post-mortem is of {newest}: choose it under Quarter."


def _html(complete: Callable[[], quarterly.QuarterReview]) -> Callable[[], str]:
    """The HTML report, made when its button is clicked: the charts' queries do not run on
    every view of the page. The connection and config are taken now, inside the page run."""
    conn, levels = data.connection(), data.config().severity_levels

    def make() -> str:
        review = complete()
        return report_html.html(review, review_charts.collect(conn, review), severity_levels=levels)

    return make


if __name__ == "__main__":
    run_page(render)
