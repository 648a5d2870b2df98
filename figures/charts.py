"""Plotly figures for the dashboard's pages and the HTML quarterly report. Colours carry
meaning, so they never change between charts: a severity has the same colour on every chart
(most severe darkest red), and so does an action-item status (unknown always grey, never
blended into open or done).

Each builder takes `template`: None draws with the process's default (Streamlit's theme on
the pages); the HTML report names one, because Streamlit's default template holds colour
placeholders that only its front end fills in.

Labels come from documents (services, categories, owners), and plotly reads a few HTML tags
in any label (`<b>`, `<br>`, `<a href>`): every label is escaped, so a name is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

# By severity rank: 1 (most severe) first. Levels beyond the palette reuse its last colour.
# Checked with a colour-vision-deficiency simulator (colorspacious: Machado et al. 2009 at
# full severity, protan, deutan and tritan), as tests/test_figures.py does on every run:
# the six levels and the unrated grey stay at least 10 apart in CAM02-UCS (ΔE' ≈ 1 is a
# just-noticeable difference) for every reader; red to blue also differs in lightness.
SEVERITY_PALETTE = ("#99000d", "#e6550d", "#fdae6b", "#6baed6", "#9ecae1", "#deebf7")
UNRATED_COLOUR = "#9e9e9e"  # any severity that is not a configured level ("unrated")
# Okabe & Ito's palette, made to stay distinct for the common colour-vision deficiencies
# (protan, deutan, tritan): done and open differ in hue and lightness, not red against green.
# The same simulator check as the severities' holds it (tests/test_figures.py).
STATUS_COLOURS = {
    "done": "#009E73",  # bluish green
    "in_progress": "#0072B2",  # blue
    "open": "#D55E00",  # vermillion
    "wont_do": "#CC79A7",  # reddish purple
    "unknown": "#BBBBBB",  # grey: never blended into open or done
}
STATUS_ORDER = list(STATUS_COLOURS)
# A status as a reader writes it (tables and legends); the data keeps the stored names.
STATUS_LABELS = {"in_progress": "in progress", "wont_do": "won't do"}
# Labels of a time axis: a year, a quarter (2025Q3), a month (2025-07) or a day.
TIME_LABEL = re.compile(r"\d{4}(Q[1-4]|-\d{2}(-\d{2})?)?")


def severity_colours(levels: tuple[str, ...], shown: list[str]) -> dict[str, str]:
    """Colours of the configured levels, most severe first, then the other labels shown (the
    label of incidents with no severity) in grey."""
    colours = {
        level: SEVERITY_PALETTE[min(i, len(SEVERITY_PALETTE) - 1)] for i, level in enumerate(levels)
    }
    return colours | {label: UNRATED_COLOUR for label in shown if label not in colours}


def _label(value: object) -> object:
    return escape(value, quote=False) if isinstance(value, str) else value


def _literal(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy whose label columns plotly shows as written (see the module's docstring)."""
    return frame.assign(**{c: frame[c].map(_label) for c in columns})


def axis_order(labels: Iterable[object]) -> list[object]:
    """The order of an x axis: time labels chronologically, then the others ("no date") in
    the order they come.

    Plotly orders a category axis by first appearance across traces, so a stacked bar chart
    whose first band starts late would put its quarters out of order (2025Q3, 2025Q4, then
    2017Q3); the rows' order cannot fix that, an explicit axis order does.
    """
    unique = list(dict.fromkeys(labels))
    dated = [v for v in unique if isinstance(v, str) and TIME_LABEL.fullmatch(v)]
    rest = [v for v in unique if v not in dated]
    return sorted(dated, key=lambda v: pd.Period(v).start_time) + rest


def _time_axis(figure: go.Figure, labels: Iterable[object]) -> go.Figure:
    """Pin the x axis to `axis_order`; a category axis, so "no date" keeps its place at the end
    (plotly would read month labels as dates and drop any label that is not one)."""
    order = [_label(v) for v in axis_order(labels)]
    if any(isinstance(v, str) and not TIME_LABEL.fullmatch(v) for v in order):
        figure.update_xaxes(type="category")
    figure.update_xaxes(categoryorder="array", categoryarray=order)
    return figure


def _layout(figure: go.Figure, *, x: str = "", y: str = "") -> go.Figure:
    figure.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend_title_text="",
        xaxis_title=x,
        yaxis_title=y,
    )
    return figure


def stacked_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    colours: dict[str, str] | None = None,
    order: list[str] | None = None,
    x_title: str = "",
    y_title: str = "",
    template: str | None = None,
) -> go.Figure:
    """Bars of `y` by `x`, stacked in bands of `colour`, as plotly express draws them: a
    trace per band, in `order` then as they come, coloured from `colours`, then from the
    template's colour cycle. Built here trace by trace: px.bar puts every property of every
    trace through plotly's validators one by one, a second for the 150 themes of a
    100,000-incident store on the Recurrence page, ten times what this takes."""
    shown = _literal(frame, x, colour).assign(_x=frame[x], _colour=frame[colour])
    present = list(dict.fromkeys(shown[colour]))
    ordered = list(dict.fromkeys([*(_label(o) for o in order or []), *present]))
    bands = [band for band in ordered if band in set(present)]
    assigned = {_label(k): v for k, v in (colours or {}).items()}
    cycle = _colour_cycle(template)
    for band in ordered:  # as px: ordered values shown or not, each the next colour
        if band not in assigned:
            assigned[band] = cycle[len(assigned) % len(cycle)]
    rows = shown.groupby(colour, sort=False).indices  # band -> its rows' positions
    xs, ys = shown[x].to_numpy(), shown[y].to_numpy()
    clicks = shown[["_x", "_colour"]].to_numpy()
    traces = [
        {
            "type": "bar",
            "name": str(band),
            "legendgroup": str(band),
            "showlegend": True,
            "orientation": "v",
            "x": xs[rows[band]],
            "y": ys[rows[band]],
            "marker": {"color": assigned[band], "pattern": {"shape": ""}},
            "customdata": clicks[rows[band]],  # what a click names
            "hovertemplate": f"{colour}={band}<br>{x}=%{{x}}<br>{y}=%{{y}}<extra></extra>",
            "textposition": "auto",
            "xaxis": "x",
            "yaxis": "y",
        }  # fmt: skip
        for band in bands
    ]
    axes = {"domain": [0.0, 1.0]}
    figure = go.Figure(data=traces, layout={
        "barmode": "relative", "legend": {"tracegroupgap": 0},
        "xaxis": {**axes, "anchor": "y"}, "yaxis": {**axes, "anchor": "x"},
    })  # fmt: skip
    if template is not None:
        figure.update_layout(template=template)
    return _layout(_time_axis(figure, frame[x]), x=x_title, y=y_title)


def _colour_cycle(template: str | None) -> list[str]:
    """The colours plotly express gives bands with no colour of their own: the template's."""
    chosen = pio.templates[template or pio.templates.default]
    return list(chosen.layout.colorway or px.colors.qualitative.D3)


def severity_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    levels: tuple[str, ...],
    template: str | None = None,
    **titles: str,
) -> go.Figure:
    colours = severity_colours(levels, list(frame["severity"].unique()))
    order = [level for level in colours if level in set(frame["severity"])]
    return stacked_bars(frame, x=x, y="incidents", colour="severity", colours=colours,
                        order=order, template=template, **titles)  # fmt: skip


def status_bars(
    frame: pd.DataFrame, *, x: str, y: str = "items", template: str | None = None, **titles: str
) -> go.Figure:
    order = [s for s in STATUS_ORDER if s in set(frame["status"])]
    figure = stacked_bars(frame, x=x, y=y, colour="status", colours=STATUS_COLOURS,
                          order=order, template=template, **titles)  # fmt: skip
    # Legend and hover in words; a click still names the stored status (custom data).
    for status, words in STATUS_LABELS.items():
        figure.update_traces(
            selector={"name": status},
            name=words,
            hovertemplate=next(
                (t.hovertemplate for t in figure.data if t.name == status), ""
            ).replace(f"status={status}", f"status={words}"),
        )
    return figure


def horizontal_bars(
    frame: pd.DataFrame, *, label: str, value: str, title: str = "", template: str | None = None
) -> go.Figure:
    figure = px.bar(_literal(frame, label).assign(_label=frame[label]), x=value, y=label,
                    orientation="h", custom_data=["_label"], template=template)  # fmt: skip
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, x=title)


def rate_line(
    frame: pd.DataFrame, *, x: str, y: str, title: str, template: str | None = None
) -> go.Figure:
    rank = {label: i for i, label in enumerate(axis_order(frame[x]))}
    in_order = frame.sort_values(x, key=lambda labels: labels.map(rank), kind="stable")
    figure = px.line(
        _literal(in_order, x), x=x, y=y, markers=True, template=template
    )  # a line joins rows in order
    _time_axis(figure, in_order[x])
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(figure, y=title)


def heatmap(
    frame: pd.DataFrame, *, x: str, y: str, z: str, template: str | None = None
) -> go.Figure:
    grid = _literal(frame, x, y).pivot_table(
        index=y, columns=x, values=z, fill_value=0, aggfunc="sum"
    )
    figure = px.imshow(grid, text_auto=True, aspect="auto", color_continuous_scale="Reds",
                       template=template)  # fmt: skip
    return _layout(_clickable_cells(figure, frame, x=x, y=y, z=z), x=x, y=y)


def _clickable_cells(
    figure: go.Figure, frame: pd.DataFrame, *, x: str, y: str, z: str
) -> go.Figure:
    """A heatmap whose cells can be clicked: plotly selects no heatmap cell (a click on one
    reports nothing), so an invisible point sits on every cell and takes the click and the
    hover. With no hover distance limit the nearest point answers, and on a grid the nearest
    centre is the cell's own: a click anywhere in a cell selects that cell."""
    grid = frame.pivot_table(index=y, columns=x, values=z, fill_value=0, aggfunc="sum")
    cells = grid.reset_index().melt(id_vars=y, var_name=x, value_name="n")
    figure.update_traces(hoverinfo="skip", hovertemplate=None)
    figure.add_trace(
        go.Scatter(
            x=cells[x].map(_label), y=cells[y].map(_label), mode="markers",
            marker={"opacity": 0, "size": 1}, showlegend=False,
            customdata=cells[[y, x, "n"]].to_numpy(),
            hovertemplate="%{y} × %{x}: %{customdata[2]} incidents<extra></extra>",
        )
    )  # fmt: skip
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category")
    return figure.update_layout(hoverdistance=-1, hovermode="closest")


def distributions(
    frame: pd.DataFrame,
    *,
    titles: dict[str, str],
    unit: str = "minutes",
    template: str | None = None,
) -> go.Figure:
    """Median and p90 per group and measure (one panel per measure); small groups marked.
    `frame` has `group`, `n`, `small_n`, `measure`, `median_<unit>` and `p90_<unit>`."""
    points = frame.assign(
        label=[
            f"{_label(g)} (n={n}{', few' if small else ''})"
            for g, n, small in zip(frame["group"], frame["n"], frame["small_n"], strict=True)
        ],
        measure=frame["measure"].map(titles),
    ).melt(
        id_vars=["measure", "label"],
        value_vars=[f"median_{unit}", f"p90_{unit}"],
        var_name="statistic",
        value_name=unit,
    )
    points["statistic"] = points["statistic"].str.removesuffix(f"_{unit}")
    figure = px.scatter(points, x=unit, y="label", color="statistic", symbol="statistic", template=template,
                        facet_col="measure", color_discrete_map={"median": "#1e88e5", "p90": "#e6550d"})  # fmt: skip
    figure.update_traces(marker={"size": 11})
    figure.update_xaxes(matches=None, rangemode="tozero")
    figure.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    # Groups top-down in the table's order (SEV1 first), not plotly's bottom-up.
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, y="")
