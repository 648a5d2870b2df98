"""Incidents: the filtered table of post-mortems, and one incident's detail with where each
field was found, the sections it has, its action items and related incidents.

Document text is shown as text: titles go through Markdown escaping, prose through
`st.text`, tables through `st.dataframe`, and only http(s) links are rendered.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.model import SECTIONS
from pages.ui import data, sidebar
from pages.ui.basis import mix_caption
from pages.ui.navigation import run_page
from pages.ui.widgets import table_block
from queries import incidents
from queries.report import escape


def render() -> None:
    st.title("Incidents")
    view = sidebar.current_view()
    table = data.table("incidents", view)
    st.caption(
        f"{len(table)} post-mortems: {view.filters.describe()}. {mix_caption(view)} "
        "A value the document does not state is marked with its basis."
    )
    table_block(table, "incidents", height=420,
                empty="No post-mortem matches these filters.")  # fmt: skip

    st.subheader("One incident")
    # The option is the incident id, not its title: a bound widget puts the option's text
    # in the URL, and ids are short, unique and stable.
    chosen = st.selectbox(
        "Incident (id)",
        table["incident_id"].tolist(),
        index=None,
        key="incident",
        bind="query-params",
        placeholder="Pick a post-mortem of the table by its id",
    )
    if chosen:
        render_detail(chosen, view.window_days, view.filters)


def render_detail(incident_id: str, window_days: int, filters: object) -> None:
    detail = data.call(incidents.detail, incident_id)
    if detail.empty:
        st.warning("This post-mortem is no longer in the store.")
        return
    row = detail.iloc[0]
    st.markdown(f"### {escape(row['title']) or '(untitled)'}")
    if isinstance(row["url"], str):
        st.link_button("Open the post-mortem", row["url"], icon=":material/open_in_new:")

    fields = incidents.fields_with_provenance(detail)
    table_block(fields, "incident-fields",
                columns={"found_in": st.column_config.TextColumn("found in")})  # fmt: skip
    sections = list(row["sections"]) if row["sections"] is not None else []
    present = pd.DataFrame({"section": list(SECTIONS),
                            "present": [s in sections for s in SECTIONS]})  # fmt: skip
    st.markdown("**Sections**")
    table_block(present, "incident-sections")
    for label, column in (("Summary", "summary"), ("Root cause", "root_cause"),
                          ("Customer impact", "customer_impact")):  # fmt: skip
        if isinstance(row[column], str) and row[column].strip():
            st.markdown(f"**{label}**")
            st.text(row[column])

    st.markdown("**Action items**")
    table_block(data.call(incidents.action_items, incident_id), "incident-action-items",
                empty="This post-mortem lists no action items.")  # fmt: skip
    st.markdown(f"**Related incidents** (same service or category within {window_days} days)")
    table_block(data.call(incidents.related, incident_id, window_days=window_days, filters=filters),
                "related-incidents", empty="No related incidents.")  # fmt: skip


if __name__ == "__main__":
    run_page(render)
