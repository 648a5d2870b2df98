"""Building blocks every page uses: a chart with its table and CSV one click away, a table
with its CSV, KPI tiles, and an empty-state line.

Tables read like a report through labels.py (labels, formats, coloured labels, title first,
ids hidden). The CSV of a block keeps the column names and order the query gives (labels.py
says why): the CSV of one of the exportable tables is `pmdash export NAME`'s, written by
DuckDB when the button is clicked, with every row of a long table the block shows the first
rows of; any other frame is written as the block shows it. A table whose rows are incidents
opens the clicked one in the incident panel (`opens=`, selection.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from numbers import Number
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pages.ui import data, drill, labels, selection
from queries.export import to_csv_bytes
from queries.tables import ROWS_SHOWN, View, marked_view, rows_in_all
from queries.values import NO_DENOMINATOR, NO_VALUE, missing, number, percent

# Said under every chart: a screen reader (or anyone) gets the chart's numbers as text there.
TABLE_NOTE = "The Table tab beside the chart holds the same numbers as text."


def download_button(
    label: str, make: Callable[[], str | bytes], *, file_name: str, mime: str, key: str, icon: str
) -> None:
    # A callable makes the file only when the button is clicked: large tables and reports
    # would otherwise be written out on every rerun.
    st.download_button(
        label, data=make, file_name=file_name, mime=mime, key=key, icon=icon, on_click="ignore"
    )


def csv_button(
    frame: pd.DataFrame, name: str, whole: Callable[[], pd.DataFrame] | None = None
) -> None:
    """The download of `frame` as `name`.csv. The frame of an exportable table as
    data.table or data.first_rows gave it is written by the store (data.table_csv): every
    row, the bytes of `pmdash export NAME`. A frame of first rows that is no exportable
    table comes with `whole`, which reads every row when the button is clicked. Any other
    frame (a part of a table a page picked, an incident's panel) is written as it is."""
    view = marked_view(frame, name)

    def make() -> bytes:
        if whole is not None:
            return to_csv_bytes(whole())
        if view is not None:
            return data.table_csv(name, view)
        return to_csv_bytes(frame)

    download_button(
        f"CSV: {name}.csv",
        make,
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
    )


def table_block(
    frame: pd.DataFrame,
    name: str,
    *,
    columns: dict[str, Any] | None = None,
    empty: str = "Nothing to show for this selection.",
    height: int | Literal["auto"] = "auto",
    folded: str = "",
    opens: str = "",
    from_panel: bool = False,
    whole: Callable[[], pd.DataFrame] | None = None,
) -> None:
    """A table and its CSV download; a plain sentence instead when there are no rows.
    With `folded`, the table sits in an expander of that label (the numbers are on screen
    already, as tiles). With `opens` (the column holding incident ids), a click on a row
    opens that incident; `from_panel` for tables inside the incident panel itself. `whole`:
    see `csv_button`."""
    if frame.empty:
        st.info(empty)
    else:
        with st.expander(folded) if folded else st.container():
            # A fixed height only for long tables: short ones would show empty rows.
            shown = height if len(frame) > 12 else "auto"
            rows = _first_rows(frame)
            if opens:
                _incident_rows(rows, name, opens, from_panel, columns, shown)
            else:
                st.dataframe(_shown(rows), hide_index=True, height=shown,
                             **_presentation(rows, columns))  # fmt: skip
            _rows_caption(frame, name)
    csv_button(frame, name, whole)


def _incident_rows(
    frame: pd.DataFrame,
    name: str,
    id_column: str,
    from_panel: bool,
    columns: dict[str, Any] | None,
    height: int | Literal["auto"],
) -> None:
    key = selection.table_key(name, frame[id_column], in_panel=from_panel)
    event = st.dataframe(
        _shown(frame),
        hide_index=True,
        height=height,
        key=key,
        on_select="rerun",
        # A row's box or any of its cells: a reader clicks where the title is.
        selection_mode=["single-row", "single-cell"],
        **_presentation(frame, columns),
    )
    chosen = selection.picked(event, frame, id_column, key)
    if chosen:
        selection.open_incident(chosen, from_panel=from_panel)
        if from_panel:
            st.rerun()  # the panel was drawn for the incident before: draw the new one


def _presentation(frame: pd.DataFrame, columns: dict[str, Any] | None) -> dict[str, Any]:
    config = labels.column_config(frame, data.config().severity_levels)
    for column in _rates_without_value(frame):  # shown as text by _shown
        config[column] = st.column_config.TextColumn(
            labels.label(column),
            help=f"{NO_VALUE}: this row has nothing to divide by (no items or "
            "incidents that count towards this rate).",
        )
    config.update(columns or {})
    return {
        "column_config": config,
        "column_order": labels.column_order(frame),
        "placeholder": labels.PLACEHOLDER,
    }


def chart_block(
    figure: go.Figure | None,
    frame: pd.DataFrame,
    name: str,
    *,
    caption: str = "",
    columns: dict[str, Any] | None = None,
    empty: str = "Nothing to show for this selection.",
    alt: str = "",
    clicks: tuple[str, ...] = (),
    view: View | None = None,
) -> None:
    """A plotly chart, the table behind it on the next tab, and the CSV of that table.
    `alt` names the chart for screen readers (default: the CSV's name in words). With
    `clicks` (what the figure's marks stand for, drill.py) and the page's `view`, a click on
    a mark lists the incidents behind it below the chart."""
    if frame.empty or figure is None:
        st.info(empty)
        csv_button(frame, name)
        return
    chart_tab, table_tab = st.tabs(["Chart", "Table"])
    with chart_tab:
        label = f"{alt or name.replace('-', ' ').capitalize()}. {TABLE_NOTE}"
        if clicks and view is not None:
            # A key that changes with the data: a click on an earlier version of the chart
            # (other filters) must not name a mark of this one.
            digest = hashlib.blake2b(
                pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes(), digest_size=6
            ).hexdigest()
            event = st.plotly_chart(figure, key=f"chart-{name}-{digest}", on_select="rerun",
                                    selection_mode="points", config={"displaylogo": False},
                                    alt=label)  # fmt: skip
        else:
            st.plotly_chart(figure, key=f"chart-{name}", config={"displaylogo": False}, alt=label)
            event = None
    with table_tab:
        rows = _first_rows(frame)
        st.dataframe(_shown(rows), hide_index=True, **_presentation(rows, columns))
        _rows_caption(frame, name)
    mark = "cell" if figure.data and figure.data[0].type == "heatmap" else "bar"
    note = f" Click a {mark} to list its incidents." if clicks else ""
    st.caption(f"{caption}{note} {TABLE_NOTE}".strip())
    values = drill.clicked(event, clicks)
    if values and view is not None:
        drill.render(values, view, name, table_block)
    csv_button(frame, name)


def _first_rows(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.head(ROWS_SHOWN)
    # What the whole table is (tables.first_rows) stays with `frame`, for the CSV: Streamlit
    # would try to send it to the browser as JSON along with the rows.
    rows.attrs = {}
    return rows


def _rows_caption(frame: pd.DataFrame, name: str) -> None:
    """Says so when the table shows only its first rows, and where the rest are."""
    total = rows_in_all(frame)
    if total > ROWS_SHOWN:
        st.caption(
            f"Showing the first {ROWS_SHOWN:,} of {total:,} rows, in the table's order; "
            f"{name}.csv below has all of them."
        )


def _is_rate(column: str) -> bool:
    return (
        column.endswith(("_rate", "_share", "share"))
        or column.startswith("with_")
        or column == "vague"
    )


def _without_value(values: pd.Series) -> bool:
    return any(number(v) is None for v in values)


def _rates_without_value(frame: pd.DataFrame) -> list[str]:
    if "metric" in frame.columns:
        return []
    return [c for c in frame.columns if _is_rate(c) and _without_value(frame[c])]


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the table shows it (labels.for_display), and a rate column with a row that
    has nothing to divide by as text ("42%", "—"): a number column would hold NaN there.
    The CSV keeps the numbers, with an empty cell there."""
    if "metric" in frame.columns:
        return _by_metric(frame)
    rates = _rates_without_value(frame)
    shown = labels.for_display(frame)
    return shown.assign(**{c: frame[c].map(percent) for c in rates}) if rates else shown


def _by_metric(frame: pd.DataFrame) -> pd.DataFrame:
    """Tables of tiles (a row per metric, counts beside rates in one column) as the tiles
    write their values."""
    is_rate = frame["metric"].isin(list(NO_DENOMINATOR)).tolist()
    numbers = [c for c in frame.columns if frame[c].dtype == object and c != "metric"
               and all(isinstance(v, Number) or missing(v) for v in frame[c])]  # fmt: skip
    return frame.assign(**{
        c: [(_delta(v, r) or NO_VALUE) if c == "change" else _format(v, r)
            for v, r in zip(frame[c], is_rate, strict=True)]
        for c in numbers
    })  # fmt: skip


def rate_tile(tile: Any, label: str, value: object, *, help: str, delta: str | None = None,
              delta_color: str = "normal") -> None:  # fmt: skip
    """A metric tile for a rate: NO_VALUE when it has nothing to divide by, and its help says
    why (NO_DENOMINATOR)."""
    if number(value) is None:
        help = f"{NO_VALUE}: {NO_DENOMINATOR[label]}. {help}"
    tile.metric(label, percent(value), delta=delta, delta_color=delta_color, help=help)


def kpi_tiles(kpis: pd.DataFrame, rates: tuple[str, ...]) -> None:
    """One metric tile per row of a kpis frame (metric, value, previous, change, …)."""
    tiles = st.columns(len(kpis))
    for tile, row in zip(tiles, kpis.itertuples(index=False), strict=True):
        label, is_rate = str(row.metric), row.metric in rates
        help = (
            f"{row.period}; previous period {row.previous_period}: {_format(row.previous, is_rate)}"
        )
        delta_color: Literal["off", "normal"] = "normal" if label == "Closure rate" else "off"
        if is_rate:
            rate_tile(tile, label, row.value, help=help, delta=_delta(row.change, is_rate),
                      delta_color=delta_color)  # fmt: skip
        else:
            tile.metric(label, _format(row.value, is_rate), delta=_delta(row.change, is_rate),
                        delta_color=delta_color, help=help)  # fmt: skip


def _format(value: object, is_rate: bool) -> str:
    if number(value) is None:
        return NO_VALUE
    return percent(value) if is_rate else f"{int(value):,}"  # type: ignore[call-overload]


def _delta(change: object, is_rate: bool) -> str | None:
    if number(change) is None:
        return None
    return f"{float(change) * 100:+.0f} pts" if is_rate else f"{int(change):+,}"  # type: ignore[arg-type, call-overload]
