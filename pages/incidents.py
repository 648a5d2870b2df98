"""Incidents: the filtered table of post-mortems; a click on one opens it in the incident
panel (pages/ui/incident_detail.py) with where each field was found, its sections, its
action items and related incidents."""

from __future__ import annotations

import streamlit as st

from pages.ui import data, sidebar
from pages.ui.basis import mix_caption
from pages.ui.navigation import run_page
from pages.ui.widgets import table_block
from queries.tables import rows_in_all


def render() -> None:
    st.title("Incidents")
    view = sidebar.current_view()
    table = data.first_rows("incidents", view)
    st.caption(
        f"{rows_in_all(table)} post-mortems: {view.filters.describe()}. {mix_caption(view)} "
        "A value the document does not state is marked with its basis. Click one to read it."
    )
    table_block(table, "incidents", height=420, opens="incident_id",
                empty="No post-mortem matches these filters.")  # fmt: skip


if __name__ == "__main__":
    run_page(render)
