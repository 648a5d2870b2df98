"""Overview: KPI tiles against the previous period, incidents over time by severity, top
categories and services, durations, and the latest post-mortems."""

from __future__ import annotations

import streamlit as st

from figures import charts
from pages.ui import data, gaps, sidebar
from pages.ui.basis import mix_caption
from pages.ui.navigation import run_page
from pages.ui.widgets import chart_block, kpi_tiles, table_block
from queries.filters import CLICKABLE, DIMENSION_LABELS
from queries.incidents import COUNT_DIMENSIONS, PERIODS
from queries.quality import DURATION_GROUPS, SMALL_N

RATES = ("Repeat rate", "Closure rate")
MEASURES = {"time_to_detect": "Time to detect", "time_to_recover": "Time to recover"}


def render() -> None:
    st.title("Overview")
    view = sidebar.current_view()
    kpis = data.table("kpis", view)
    note = kpis["note"].iloc[0]
    st.caption(
        f"{kpis['period'].iloc[0]} against {kpis['previous_period'].iloc[0]}. Repeats by "
        f"{DIMENSION_LABELS[view.dim]} within {view.window_days} days; overdue on the "
        f"period's last day." + (f" {note.capitalize()}." if note else "")
    )
    kpi_tiles(kpis, RATES)
    table_block(kpis, "kpis", folded="The numbers behind the tiles")

    st.subheader("Incidents over time")
    per, split_by = st.columns(2)
    with per:
        period = st.segmented_control("Per", PERIODS, default="month", key="period",
                                      bind="query-params", required=True)  # fmt: skip
    with split_by:
        split = st.segmented_control("Split by", COUNT_DIMENSIONS, default="severity",
                                     key="split", bind="query-params", required=True)  # fmt: skip
    split = split or "severity"
    view = sidebar.current_view(period=period or "month")
    over_time = data.table(f"incidents-by-{split}", view)
    if over_time.empty:
        figure = None
    elif split == "severity":
        figure = charts.severity_bars(over_time, x="period", levels=data.config().severity_levels,
                                      y_title="incidents")  # fmt: skip
    else:
        figure = charts.stacked_bars(over_time, x="period", y="incidents", colour=split,
                                     y_title="incidents")  # fmt: skip
    several = {"service": "services", "category": "categories", "team": "teams"}
    chart_block(figure, over_time, f"incidents-by-{split}",
                caption="Post-mortems without a date cannot be placed in time and are not on "
                        "this chart."
                        + (f" An incident with several {several[split]} counts once in each."
                           if split in several else "")
                        + (" A team is the catalog's owner of the incident's services."
                           if split == "team" else "")
                        + (" " + mix_caption(view, "service" if split == "team" else split)
                           if split in several else ""),
                empty=gaps.why_empty(view, "service" if split == "team" else split,
                                     f"No incident to show by {split}.")
                if split in several else "No dated incident in this selection.",
                # a team is not a sidebar filter: its bars cannot narrow the filters
                clicks=("period", split) if split in CLICKABLE else ("period",),
                view=view, alt=f"Incidents per {period} by {split}")  # fmt: skip

    left, right = st.columns(2)
    with left:
        st.subheader("Top categories")
        top = data.table("top-categories", view)
        chart_block(charts.horizontal_bars(top, label="category", value="incidents",
                                           title="incidents"), top, "top-categories",
                    caption="An incident with several categories counts in each. "
                            + mix_caption(view, "category"),
                    empty=gaps.why_empty(view, "category", "No category to show."),
                    clicks=("category",), view=view, alt="Top categories by incidents")  # fmt: skip
    with right:
        st.subheader("Top services")
        top = data.table("top-services", view)
        chart_block(charts.horizontal_bars(top, label="service", value="incidents",
                                           title="incidents"), top, "top-services",
                    caption="An incident with several services counts in each. "
                            + mix_caption(view, "service"),
                    empty=gaps.why_empty(view, "service", "No service to show."),
                    clicks=("service",), view=view, alt="Top services by incidents")  # fmt: skip

    st.subheader("Time to detect and to recover")
    by = st.segmented_control("Group by", DURATION_GROUPS, default="severity", key="by",
                              bind="query-params", required=True)  # fmt: skip
    durations = data.table("durations", sidebar.current_view(duration_by=by or "severity"))
    figure = charts.distributions(durations, titles=MEASURES) if not durations.empty else None
    chart_block(figure, durations, "durations",
                caption=f"Minutes, as distributions: median and p90 per group, never a mean. "
                        f"Groups marked 'few' have fewer than {SMALL_N} incidents (small_n): "
                        "read their median and p90 with care.",
                empty=gaps.why_empty(view, "duration", "No durations to show."))  # fmt: skip

    st.subheader("Latest post-mortems")
    table_block(data.table("latest-postmortems", view), "latest-postmortems", opens="incident_id")


if __name__ == "__main__":
    run_page(render)
