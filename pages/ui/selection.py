"""Rows that open incidents: which click asks for which incident, and the URL that names it.

A table whose rows are incidents turns a click (on a row's box or on any of its cells) into
`?incident=ID` in the URL; the incident panel (incident_detail.py) shows whatever the URL
names. Kept apart from the panel so that the table helpers and the panel can both use it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

PARAM = "incident"  # the query parameter that names the open incident
TRAIL = "incident-trail"  # incidents opened before this one from inside the panel
VISITS = "incident-visits"  # incidents opened so far: the panel's tables are new on each


def requested() -> str | None:
    value = st.query_params.get(PARAM)
    return value or None


def table_key(name: str, ids: pd.Series, *, in_panel: bool = False) -> str:
    """A widget key for a table whose rows open incidents.

    Streamlit keeps a keyed table's selection (a row position) when its data changes; a
    key that changes with the rows means a new selection, so a filter change can never
    turn an earlier click into a click on another incident. A table inside the panel is
    new on every incident opened, so coming back to an incident shows no old click.
    """
    digest = hashlib.blake2b("\x1f".join(map(str, ids)).encode(), digest_size=6).hexdigest()
    visit = f"-v{st.session_state.get(VISITS, 0)}" if in_panel else ""
    return f"rows-{name}-{digest}{visit}"


def picked(event: Any, frame: pd.DataFrame, id_column: str, key: str) -> str | None:
    """The incident a click on this table asks for now, if the click is new.

    A click selects a row (its box) or a cell (anywhere in the row). Streamlit keeps the
    selection after the rerun, so only a selection that differs from the last one acted on
    counts: a closed panel does not reopen, and the panel's own navigation is not undone by
    an old click. (Clearing the selection instead costs the reader a click: the table
    ignores the first click after its selection is reset from the server.) To reopen the
    incident just closed, click another cell of its row.
    """
    selection = event.selection
    rows = list(selection.rows) or [cell[0] for cell in selection.cells]
    seen = repr((list(selection.rows), list(selection.cells)))
    acted = f"{key}:acted"
    if seen == st.session_state.get(acted, repr(([], []))):
        return None
    st.session_state[acted] = seen
    chosen = frame[id_column].iloc[rows[0]] if rows else None
    return str(chosen) if isinstance(chosen, str) else None


def open_incident(incident_id: str, *, from_panel: bool = False) -> None:
    """Name the incident in the URL; the panel shows it at the end of this run."""
    current = requested()
    if from_panel and current and current != incident_id:
        st.session_state.setdefault(TRAIL, []).append(current)
    elif not from_panel:
        st.session_state[TRAIL] = []
    st.session_state[VISITS] = st.session_state.get(VISITS, 0) + 1
    st.query_params[PARAM] = incident_id


def back() -> None:
    """Reopen the incident the panel showed before the current one."""
    trail = st.session_state.get(TRAIL, [])
    if trail:
        st.session_state[VISITS] = st.session_state.get(VISITS, 0) + 1
        st.query_params[PARAM] = trail.pop()


def close() -> None:
    """The panel was closed: the incident leaves the URL."""
    st.query_params.pop(PARAM, None)
    st.session_state[TRAIL] = []
