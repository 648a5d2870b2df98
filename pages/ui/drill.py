"""A click on a chart: the incidents behind the bar or cell, in a panel below the chart.

Each clickable chart names what its marks stand for (`dims`, in the order of the figure's
custom data, figures/charts.py): ("period", "severity") for a bar of incidents over time,
("service", "category") for a heatmap cell, ("service",) for a bar of top services,
("period", "theme") for a bar of a theme's incidents in a quarter, ("opened", "status") for
a band of action items of one status opened in a quarter. A click narrows the sidebar's
filters by the values the sidebar can hold (`Filters.narrowed`); a theme, an item's status
and the quarter it was opened in are no sidebar filters, so they narrow the list here only
(`behind`). The panel says the filter the click implies ("payments × deployment, 2026Q3:
4 incidents"), lists those incidents (a row opens one), and offers to make the sidebar's
part of it the sidebar's filters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from pages.ui import data
from pages.ui.labels import STATUS_LABELS
from queries import incidents
from queries.filters import CLICKABLE, Filters
from queries.tables import View

TableBlock = Callable[..., None]
NOT_A_PERIOD = "no date"  # the bar of items without a date names no period
SIDEBAR_DIMS = ("period", *CLICKABLE)  # what `Filters.narrowed` takes
# What the sidebar cannot hold, in words: said beside the button that applies the rest.
NOT_IN_SIDEBAR = {"theme": "theme", "status": "action-item status",
                  "opened": "the quarter an item was opened in"}  # fmt: skip


def clicked(event: Any, dims: tuple[str, ...]) -> dict[str, str] | None:
    """The values the first selected mark stands for, by dimension; None without a click."""
    points = event.selection.points if event else []
    data_ = points[0].get("customdata") if points else None
    if not data_:
        return None
    values = {dim: str(value) for dim, value in zip(dims, data_, strict=False)}
    return None if values.get("period") == NOT_A_PERIOD else values


def describe(values: dict[str, str]) -> str:
    """ "payments × deployment, 2026Q3"; "theme “deploy, rollback”, 2026Q3";
    "open action items, opened in 2026Q3" """
    named = " × ".join(_named(k, v) for k, v in values.items() if k not in ("period", "opened"))
    when = values.get("period")
    if "opened" in values:
        opened = values["opened"]
        when = "opened with no date" if opened == NOT_A_PERIOD else f"opened in {opened}"
    return ", ".join(p for p in (named, when) if p)


def _named(dim: str, value: str) -> str:
    if dim == "theme":
        return f"theme “{value}”"
    if dim == "status":
        return f"{STATUS_LABELS.get(value, value)} action items"
    return value


def behind(values: dict[str, str], view: View) -> set[str] | None:
    """The incidents behind the parts of a click the sidebar cannot hold: the members of a
    theme (as Recurrence lists them), the incidents with action items of a status opened in
    a quarter (as the Action items page counts them: created, else the incident's date).
    None when the click names nothing beyond the sidebar's filters."""
    ids: set[str] | None = None
    if "theme" in values:
        members = data.table("theme-incidents", view)
        ids = set(members.loc[members["theme"] == values["theme"], "incident_id"])
    if "status" in values or "opened" in values:
        items = data.table("action-items", view)
        keep = pd.Series(True, index=items.index)
        if "status" in values:
            keep &= items["status"] == values["status"]
        if "opened" in values:
            keep &= quarters(items["opened_date"]) == values["opened"]
        found = set(items.loc[keep, "incident_id"])
        ids = found if ids is None else ids & found
    return ids


def quarters(days: pd.Series) -> pd.Series:
    """ "2026Q3" for each day, NOT_A_PERIOD for none: the labels of a chart by quarter."""
    labels = pd.to_datetime(days).dt.to_period("Q").astype(str)
    return labels.where(days.notna(), NOT_A_PERIOD)


def render(values: dict[str, str], view: View, name: str, table_block: TableBlock) -> None:
    """The panel below a clicked chart. `table_block` draws its incidents (widgets.py passes
    its own: widgets draws the charts that open this panel, so this module does not import it)."""
    narrowed = view.filters.narrowed({k: v for k, v in values.items() if k in SIDEBAR_DIMS})
    found = data.call(incidents.table, narrowed)
    ids = behind(values, view)
    if ids is not None:
        found = found[found["incident_id"].isin(ids)].reset_index(drop=True)
    beyond = [words for k, words in NOT_IN_SIDEBAR.items() if k in values]
    with st.container(border=True, key=f"drill-{name}"):  # the key names it in the page
        st.markdown(
            f"**{describe(values)}: {len(found)} incident{'s' if len(found) != 1 else ''}**"
        )
        click = f"; {describe({k: v for k, v in values.items() if k not in SIDEBAR_DIMS})}"
        st.caption(f"The sidebar's filters and this click: {narrowed.describe()}"
                   f"{click if beyond else ''}. Click an incident to read it.")  # fmt: skip
        table_block(found, f"{name}-incidents", opens="incident_id",
                    empty="No incident behind this mark.")  # fmt: skip
        unheld = f"The sidebar has no filter by {' or '.join(beyond)}" if beyond else ""
        if narrowed != view.filters:
            st.button("Apply to the filters", icon=":material/filter_alt:", key=f"apply-{name}",
                      on_click=_apply, args=(narrowed,),
                      help="Set the sidebar's filters to this selection, on every page."
                           + (f" {unheld}: it keeps the rest." if unheld else ""))  # fmt: skip
        elif unheld:
            st.caption(f"{unheld}: this list is the only place this selection is shown.")


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
