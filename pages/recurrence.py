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
from queries import incidents, recurrence
from queries.filters import DIMENSION_LABELS
from queries.tables import View


def render() -> None:
    st.title("Recurrence")
    view = sidebar.current_view()
    dim = DIMENSION_LABELS[view.dim]
    similarity = data.config().similarity
    if view.dim == "similar":
        rule = (
            f"A repeat is an incident similar (≥ {similarity} in title and text) to one that "
            f"began at most {view.window_days} days before it; a recurring pattern is a "
            f"{dim} with at least {view.threshold} incidents within {view.window_days} days"
        )
    else:
        rule = (
            f"A repeat is an incident with the same {dim} as an earlier one that began at "
            f"most {view.window_days} days before it; a recurring pattern is a {dim} with at "
            f"least {view.threshold} incidents within {view.window_days} days"
        )
    st.caption(f"{rule} (`[recurrence]` in pmdash.toml). Change the dimension in the sidebar.")
    default = gaps.default_dimension()
    if view.dim == default.dim == "similar":
        st.info(f"Repeats are found by similar text because {default.reason}.",
                icon=":material/info:")  # fmt: skip
    note = recurrence.dimension_note(data.call(incidents.field_counts, view.filters), view.dim)
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
                empty=gaps.why_empty(view, "service_category", "The heatmap is empty."),
                clicks=("service", "category"), view=view,
                alt="Heatmap of incidents by service and category")  # fmt: skip

    st.subheader(f"Recurring patterns (by {dim})")
    patterns = data.table("recurring-patterns", view)
    table_block(patterns, "recurring-patterns",
                empty=f"No {dim} had {view.threshold} or more incidents within "
                      f"{view.window_days} days in this selection.")  # fmt: skip
    if not patterns.empty:
        st.markdown("**Their incidents**")
        table_block(
            data.first_rows("recurring-pattern-incidents", view),
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
    table_block(data.first_rows("deja-vu", view), "deja-vu", opens="incident_id",
                empty="No repeat in this selection struck while an earlier incident's action "
                      "items were still open.")  # fmt: skip
    render_similar(view, similarity)

    st.subheader("Fix held?")
    st.caption(
        f"Incidents whose action items are all done (with a closing date): did an incident "
        f"with the same {dim} begin within {view.window_days} days after the last one closed? "
        "'so far' while those days have not passed. Statuses are the trackers' where connected."
    )
    table_block(data.first_rows("fix-held", view), "fix-held", opens="incident_id",
                empty="No incident of this selection has all its action items done with a "
                      "closing date.")  # fmt: skip


def render_similar(view: View, similarity: float) -> None:
    st.subheader("Similar incidents")
    st.caption(
        f"Incidents alike in title and text (TF-IDF cosine, titles weighing 0.7, at least "
        f"{similarity}: `[recurrence] similarity`), grouped when linked directly or through "
        "each other; newest group first, with the words their pairs share most."
    )
    table_block(data.first_rows("similar-incidents", view), "similar-incidents", opens="incident_id",
                empty=f"No two incidents in this selection are similar at {similarity} or "
                      "more: none repeats another in like words.")  # fmt: skip

    st.subheader("Themes")
    st.caption(
        "Incidents whose root causes and contributing factors share words (the summary stands "
        "in when a post-mortem has neither), grouped at sync time and named by their "
        "heaviest words; a store of fewer than 10 incidents gets none."
    )
    by_quarter = data.table("themes-by-quarter", view)
    figure = (
        charts.stacked_bars(
            by_quarter, x="quarter", y="incidents", colour="theme", y_title="incidents"
        )  # fmt: skip
        if not by_quarter.empty
        else None
    )
    chart_block(figure, by_quarter, "themes-by-quarter",
                caption="Incidents per theme and quarter of their date.",
                empty="No incident of this selection belongs to a theme.",
                clicks=("period", "theme"), view=view)  # fmt: skip
    members = data.first_rows("theme-incidents", view)
    if not members.empty:
        st.markdown("**The incidents of each theme**")
        table_block(members, "theme-incidents", opens="incident_id")


if __name__ == "__main__":
    run_page(render)
