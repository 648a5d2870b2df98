"""Recurrence: where incidents cluster (service × category), recurring patterns with their
incidents, the repeat rate by quarter and by value, and déjà vu: repeats that struck while
the earlier incident's action items were still not done."""

from __future__ import annotations

import streamlit as st

from figures import charts
from pages.ui import data, gaps, sidebar
from pages.ui.basis import mix_caption
from pages.ui.navigation import run_page
from pages.ui.widgets import chart_block, table_block
from queries import recurrence
from queries.filters import DIMENSION_LABELS


def render() -> None:
    st.title("Recurrence")
    view = sidebar.current_view()
    dim = DIMENSION_LABELS[view.dim]
    st.caption(
        f"A repeat is an incident with the same {dim} as an earlier one that began at most "
        f"{view.window_days} days before it; a recurring pattern is a {dim} with at least "
        f"{view.threshold} incidents within {view.window_days} days (`[recurrence]` in "
        "pmdash.toml). Change the dimension in the sidebar."
    )
    note = data.call(recurrence.dimension_note, view.filters, view.dim)
    if note:
        st.info(f"{note}. {gaps.advice(view, view.dim)}", icon=":material/info:")

    st.subheader("Incidents by service and category")
    matrix = data.table("service-category", view)
    figure = (
        charts.heatmap(matrix, x="category", y="service", z="incidents")
        if not matrix.empty
        else None
    )
    chart_block(figure, matrix, "service-category",
                caption="An incident with several services or categories counts in each cell. "
                        + mix_caption(view),
                empty=gaps.why_empty(view, "service_category", "The heatmap is empty."))  # fmt: skip

    st.subheader(f"Recurring patterns (by {dim})")
    patterns = data.table("recurring-patterns", view)
    table_block(patterns, "recurring-patterns",
                empty=f"No {dim} had {view.threshold} or more incidents within "
                      f"{view.window_days} days in this selection.")  # fmt: skip
    if not patterns.empty:
        st.markdown("**Their incidents**")
        table_block(
            data.table("recurring-pattern-incidents", view),
            "recurring-pattern-incidents",
            opens="incident_id",
        )

    left, right = st.columns(2)
    with left:
        st.subheader("Repeat rate by quarter")
        by_quarter = data.table("repeat-rate-by-quarter", view)
        figure = (
            charts.rate_line(by_quarter, x="quarter", y="repeat_rate", title="repeat rate")
            if not by_quarter.empty
            else None
        )
        chart_block(figure, by_quarter, "repeat-rate-by-quarter",
                    caption="Repeats / incidents of each quarter (by incident date).")  # fmt: skip
    with right:
        st.subheader(f"Repeat rate by {dim}")
        table_block(data.table("recurrence", view), "recurrence",
                    empty=gaps.why_empty(view, view.dim, f"No incident has a {dim}."))  # fmt: skip

    st.subheader("Déjà vu")
    st.caption(
        "Repeats that began while an action item of an earlier matching incident was still "
        "open or in progress (or was done only after the repeat began). Items with status "
        "unknown or won't do do not count: the documents do not say they were pending."
    )
    table_block(data.table("deja-vu", view), "deja-vu", opens="incident_id",
                empty="No repeat in this selection struck while an earlier incident's action "
                      "items were still open.")  # fmt: skip


if __name__ == "__main__":
    run_page(render)
