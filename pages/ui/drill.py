"""A click on a chart: the incidents behind the bar or cell, in a panel below the chart.

Each clickable chart names what its marks stand for (`dims`, in the order of the figure's
custom data, figures/charts.py): ("period", "severity") for a bar of incidents over time,
("service", "category") for a heatmap cell, ("service",) for a bar of top services. A click
narrows the sidebar's filters by those values (`Filters.narrowed`), the panel says the
filter it implies ("payments × deployment, 2026Q3: 4 incidents"), lists those incidents
(a row opens one), and offers to make that filter the sidebar's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from pages.ui import data
from queries import incidents
from queries.filters import CLICKABLE, Filters
from queries.tables import View

TableBlock = Callable[..., None]
NOT_A_PERIOD = "no date"  # the bar of items without a date names no period


def clicked(event: Any, dims: tuple[str, ...]) -> dict[str, str] | None:
    """The values the first selected mark stands for, by dimension; None without a click."""
    points = event.selection.points if event else []
    data_ = points[0].get("customdata") if points else None
    if not data_:
        return None
    values = {dim: str(value) for dim, value in zip(dims, data_, strict=False)}
    return None if values.get("period") == NOT_A_PERIOD else values


def describe(values: dict[str, str]) -> str:
    """ "payments × deployment, 2026Q3" """
    named = " × ".join(v for k, v in values.items() if k != "period")
    period = values.get("period")
    return ", ".join(p for p in (named, period) if p)


def render(values: dict[str, str], view: View, name: str, table_block: TableBlock) -> None:
    """The panel below a clicked chart. `table_block` draws its incidents (widgets.py passes
    its own: widgets draws the charts that open this panel, so this module does not import it)."""
    narrowed = view.filters.narrowed(values)
    found = data.call(incidents.table, narrowed)
    with st.container(border=True, key=f"drill-{name}"):  # the key names it in the page
        st.markdown(
            f"**{describe(values)}: {len(found)} incident{'s' if len(found) != 1 else ''}**"
        )
        st.caption(f"The sidebar's filters and this click: {narrowed.describe()}. "
                   "Click an incident to read it.")  # fmt: skip
        table_block(found, f"{name}-incidents", opens="incident_id",
                    empty="No incident behind this mark.")  # fmt: skip
        st.button("Apply to the filters", icon=":material/filter_alt:", key=f"apply-{name}",
                  on_click=_apply, args=(narrowed,),
                  help="Set the sidebar's filters to this selection, on every page.")  # fmt: skip


def _apply(filters: Filters) -> None:
    # A callback, before the sidebar's widgets are drawn: their values may still change.
    state = st.session_state
    for field in CLICKABLE.values():
        values = getattr(filters, field)
        if values:
            state[_KEYS[field]] = list(values)
    for key, day in (("since", filters.start), ("until", filters.end)):
        if isinstance(day, date):
            state[key] = day


_KEYS = {"severities": "severity", "services": "service", "categories": "category",
         "sources": "source"}  # fmt: skip
