"""One incident, opened from any table row: a panel beside the page, named in the URL.

Any table of incidents on any page opens an incident when a row is clicked
(`widgets.table_block(..., opens="incident_id")`): the click puts `?incident=ID` in the URL
and `dashboard.py` draws the panel after the page, so a copied address opens the same
incident (on any page, with the same filters) for whoever follows it. The panel is a
Streamlit dialog on the right: the page stays where the reader left it, and closing the
panel removes the incident from the URL. Inside the panel, its related incidents open in
turn, with a way back to the one before.

Document text is shown as text: titles go through Markdown escaping, prose through
`st.text`, tables through `st.dataframe`, and only http(s) links are rendered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from loaders.model import SECTIONS
from pages.ui import data
from pages.ui.selection import TRAIL, back, close, requested
from pages.ui.widgets import table_block
from queries import incidents, similar
from queries.report import escape
from queries.tables import View


def show_requested(view: View) -> None:
    """Open the panel when the URL names an incident (called by dashboard.py after the page)."""
    if requested():
        _panel(view.window_days, view.filters)


@st.dialog("Incident", width=960, position="right", on_dismiss=close)
def _panel(window_days: int, filters: object) -> None:
    # The id is read here, not passed in: a click inside the panel changes it.
    incident_id = requested()
    if incident_id is None:
        return
    if st.session_state.get(TRAIL):
        # A callback, which Streamlit runs before the script: a button's own return value
        # would be lost if this run hands over out of the legacy multipage mode.
        st.button("Back to the incident before", icon=":material/arrow_back:",
                  key="incident-back", on_click=back)  # fmt: skip
    render(incident_id, window_days, filters)


def render(incident_id: str, window_days: int, filters: object) -> None:
    """One incident: what it is, its text, its fields and where each was found, its
    sections, its action items, and the incidents related to it (each opens in turn)."""
    detail = data.call(incidents.detail, incident_id)
    if detail.empty:
        st.warning("This post-mortem is no longer in the store: a sync removed it.")
        return
    row = detail.iloc[0]
    st.markdown(f"### {escape(row['title']) or '(untitled)'}")
    st.caption(_headline(row))
    if isinstance(row["url"], str):
        st.link_button("Open the post-mortem", row["url"], icon=":material/open_in_new:")
    for label, column in (("Summary", "summary"), ("Root cause", "root_cause"),
                          ("Customer impact", "customer_impact")):  # fmt: skip
        if isinstance(row[column], str) and row[column].strip():
            st.markdown(f"**{label}**")
            st.text(row[column])

    st.markdown("**Sections**")
    sections = list(row["sections"]) if row["sections"] is not None else []
    st.markdown(" · ".join(f"{':material/check:' if s in sections else ':material/close:'} "
                           f"{s.replace('_', ' ')}" for s in SECTIONS))  # fmt: skip

    st.markdown("**Action items**")
    table_block(data.call(incidents.action_items, incident_id), "incident-action-items",
                empty="This post-mortem lists no action items.")  # fmt: skip

    st.markdown("**Seen before**: similar incidents (title and text), most similar first")
    seen = data.call(similar.seen_before, incident_id, filters=filters)
    table_block(seen, "seen-before", opens="incident_id", from_panel=True,
                empty="No incident is similar to this one.")  # fmt: skip

    st.markdown(f"**Related incidents** (same service or category within {window_days} days)")
    related = data.call(incidents.related, incident_id, window_days=window_days, filters=filters)
    table_block(related, "related-incidents", opens="incident_id", from_panel=True,
                empty="No related incidents.")  # fmt: skip

    with st.expander("Every field, and where it was found"):
        fields = incidents.fields_with_provenance(detail)
        table_block(fields, "incident-fields")


def _headline(row: pd.Series) -> str:
    """Date · severity · services · categories, as one line of text."""
    parts = []
    if not pd.isna(row["incident_date"]):
        parts.append(pd.Timestamp(row["incident_date"]).strftime("%-d %b %Y"))
    parts.append(row["severity"] if isinstance(row["severity"], str) else "severity not stated")
    for values, none in ((row["services"], "no service"), (row["categories"], "no category")):
        # A list, or a missing value (NULL arrives as None or pandas' NA) when none is named.
        listed = list(values) if isinstance(values, list | tuple | np.ndarray) else []
        parts.append(", ".join(listed) if listed else none)
    return " · ".join(parts)
