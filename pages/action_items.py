"""Action items: closure with wont_do and unknown beside it, status by quarter opened,
overdue items, ageing, by owner and by service, hygiene and vague items, time to close."""

from __future__ import annotations

from datetime import date

import streamlit as st

from figures import charts
from pages.ui import data, gaps, sidebar
from pages.ui.navigation import run_page
from pages.ui.widgets import chart_block, rate_tile, table_block
from queries.quality import SMALL_N
from queries.tables import View


def render() -> None:
    st.title("Action items")
    # Empty means today. A chosen date, even today's, goes into the URL, so a shared link keeps
    # its day (a bound widget leaves its default value out of the URL).
    chosen = st.date_input("Overdue and age on (empty: today)", value=None, key="as_of",
                           bind="query-params", format="YYYY-MM-DD")  # fmt: skip
    as_of = chosen if isinstance(chosen, date) else data.today()
    view = sidebar.current_view(as_of=as_of)

    summary = data.table("action-item-summary", view)
    row = summary.iloc[0]
    tiles = st.columns(5)
    rate_tile(tiles[0], "Closure rate", row["closure_rate"],
              help="done / (done + open + in progress). Won't do and unknown are not in it.")  # fmt: skip
    rate_tile(tiles[1], "Won't do", row["wont_do_share"], help="Share of all items.")
    rate_tile(tiles[2], "Status unknown", row["unknown_share"],
              help="Share of all items whose document gives no status.")  # fmt: skip
    rate_tile(tiles[3], "On time", row["on_time_rate"],
              help=f"Done by the due date, of the {int(row['done_with_both_dates'])} done "
                   "items with both a due date and a closing date.")  # fmt: skip
    tiles[4].metric(
        "Overdue", f"{int(row['overdue']):,}", help=f"Open or in progress, due before {as_of}."
    )
    table_block(summary, "action-item-summary", folded="The numbers behind the tiles")
    render_trackers(view)

    st.subheader("Status by quarter opened")
    by_quarter = data.table("status-by-quarter", view)
    figure = charts.status_bars(by_quarter, x="quarter") if not by_quarter.empty else None
    chart_block(figure, by_quarter, "status-by-quarter",
                caption="Quarter of the item's creation date; most documents give none, and "
                        "then the quarter of its incident's date is used. Unknown (no status "
                        "in the document) is its own band.",
                clicks=("opened", "status"), view=view)  # fmt: skip

    st.subheader(f"Overdue on {as_of}")
    table_block(
        data.first_rows("overdue", view),
        "overdue",
        opens="incident_id",
        empty="No action item is overdue.",
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Age of unfinished items")
        ageing = data.table("ageing", view)
        figure = charts.status_bars(ageing, x="age_bucket") if not ageing.empty else None
        chart_block(figure, ageing, "ageing",
                    caption="Days from opened (created, else the incident date) to "
                            f"{as_of}, for open, in-progress and unknown items.")  # fmt: skip
    with right:
        st.subheader("Time to close")
        closing = data.table("time-to-close", view)
        # A group of no closed item has no median or p90: a row of dashes says nothing.
        closing = closing[closing["n"] > 0]
        table_block(closing, "time-to-close",
                    empty="No done item states when it was closed.")  # fmt: skip
        st.caption(f"Days from opened to closed: median and p90; small_n marks groups of fewer "
                   f"than {SMALL_N} items.")  # fmt: skip

    st.subheader("By owner")
    table_block(data.table("by-owner", view), "by-owner")
    st.subheader("By service")
    table_block(data.table("by-service", view), "by-service",
                empty=gaps.why_empty(view, "service", "No action item to show by service."))  # fmt: skip
    st.caption("An item of an incident with several services counts in each.")

    st.subheader("Hygiene")
    table_block(data.table("hygiene", view), "hygiene")
    st.subheader("Vague items to rewrite")
    st.caption(
        "Unfinished items with fewer than 4 words, or a vague verb (improve, investigate, look "
        "into, monitor, review…) with nothing measurable: no one can tell when they are done."
    )
    table_block(
        data.first_rows("vague-items", view), "vague-items", empty="No vague unfinished items."
    )
    st.caption("Every action item of the selection: `pmdash export action-items` (same filters).")


def render_trackers(view: View) -> None:
    """Where the statuses come from, and drift when a tracker is connected (SPEC §6);
    without one, what connecting one would add."""
    sources = data.table("status-sources", view).iloc[0]
    items = int(sources["items"])
    if not items:
        return
    shares = " · ".join(
        f"{label} {int(sources[column]) / items:.0%}"
        for label, column in (("tracker", "from_tracker"), ("document", "from_document"),
                              ("unknown", "unknown"))
    )  # fmt: skip
    st.caption(f"Status from: {shares} of {items:,} items. Closure, overdue and time to close "
               "use the tracker's status where it answered, else the document's.")  # fmt: skip
    connected = data.config().trackers.github or data.config().trackers.jira
    if not connected and not int(sources["asked_a_tracker"]):
        st.info(
            f"{int(sources['with_ticket']):,} of these {items:,} items name a ticket. Connect "
            "GitHub or Jira (`[trackers.github]` / `[trackers.jira]` in pmdash.toml; see the "
            "README) and each ticket's tracker gives the item its status, owner, due date and "
            "closing time, most of which the documents leave out; drift then lists items "
            "whose document and tracker disagree."
        )
        return
    st.subheader("Drift: documents and trackers disagree")
    st.caption("Done in the document but open in the tracker, or the reverse; and tickets "
               "the tracker does not know or will not show. `pmdash export drift` writes it.")  # fmt: skip
    table_block(data.first_rows("drift", view), "drift",
                empty="Documents and trackers agree on every item of this selection.")  # fmt: skip


if __name__ == "__main__":
    run_page(render)
