"""Building blocks every page uses: a chart with its table and CSV one click away, a table
with its CSV, KPI tiles, and an empty-state line.

The CSV of a block is made from the very frame the block shows, with the column names and
order the query gives (the same as `pmdash export NAME`), so the download is exactly what is
on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.api.types import is_datetime64_any_dtype

from queries.export import to_csv_bytes

PERCENT = st.column_config.NumberColumn(format="percent")


def download_button(
    label: str, make: Callable[[], str | bytes], *, file_name: str, mime: str, key: str, icon: str
) -> None:
    # A callable makes the file only when the button is clicked: large tables and reports
    # would otherwise be written out on every rerun.
    st.download_button(
        label, data=make, file_name=file_name, mime=mime, key=key, icon=icon, on_click="ignore"
    )


def csv_button(frame: pd.DataFrame, name: str) -> None:
    download_button(
        f"CSV: {name}.csv",
        lambda: to_csv_bytes(frame),
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
    height: int | str = "auto",
    folded: str = "",
) -> None:
    """A table and its CSV download; a plain sentence instead when there are no rows.
    With `folded`, the table sits in an expander of that label (the numbers are on screen
    already, as tiles)."""
    if frame.empty:
        st.info(empty)
    else:
        with st.expander(folded) if folded else st.container():
            # A fixed height only for long tables: short ones would show empty rows.
            st.dataframe(
                frame,
                hide_index=True,
                column_config=_column_config(frame, columns),
                height=height if len(frame) > 12 else "auto",
            )
    csv_button(frame, name)


def chart_block(
    figure: go.Figure | None,
    frame: pd.DataFrame,
    name: str,
    *,
    caption: str = "",
    columns: dict[str, Any] | None = None,
    empty: str = "Nothing to show for this selection.",
) -> None:
    """A plotly chart, the table behind it on the next tab, and the CSV of that table."""
    if frame.empty or figure is None:
        st.info(empty)
        csv_button(frame, name)
        return
    chart_tab, table_tab = st.tabs(["Chart", "Table"])
    with chart_tab:
        st.plotly_chart(figure, key=f"chart-{name}", config={"displaylogo": False})
    with table_tab:
        st.dataframe(frame, hide_index=True, column_config=_column_config(frame, columns))
    if caption:
        st.caption(caption)
    csv_button(frame, name)


def _column_config(frame: pd.DataFrame, columns: dict[str, Any] | None) -> dict[str, Any]:
    """Links as links (queries only pass http/https URLs), shares as percentages, dates as dates."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        if (column == "date" or column.endswith("_date")) and is_datetime64_any_dtype(
            frame[column]
        ):
            # DuckDB DATEs arrive as datetimes; a midnight time would be noise.
            config[column] = st.column_config.DateColumn(column, format="YYYY-MM-DD")
        elif column in ("url", "incident_url"):
            config[column] = st.column_config.LinkColumn(column, display_text="open")
        elif column == "ticket_url":
            config[column] = st.column_config.LinkColumn(column, display_text="ticket")
        elif (
            column.endswith(("_rate", "_share", "share"))
            or column.startswith("with_")
            or column == "vague"
        ):
            config[column] = PERCENT
    config.update(columns or {})
    return config


def kpi_tiles(kpis: pd.DataFrame, rates: tuple[str, ...]) -> None:
    """One metric tile per row of a kpis frame (metric, value, previous, change, …)."""
    tiles = st.columns(len(kpis))
    for tile, row in zip(tiles, kpis.itertuples(index=False), strict=True):
        is_rate = row.metric in rates
        tile.metric(
            row.metric,
            _format(row.value, is_rate),
            delta=_delta(row.change, is_rate),
            delta_color="off" if row.metric not in ("Closure rate",) else "normal",
            help=f"{row.period}; previous period {row.previous_period}: "
            f"{_format(row.previous, is_rate)}",
        )


def _format(value: object, is_rate: bool) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "n/a"
    return f"{float(value):.0%}" if is_rate else f"{int(value):,}"  # type: ignore[arg-type, call-overload]


def _delta(change: object, is_rate: bool) -> str | None:
    if change is None or pd.isna(change):  # type: ignore[arg-type]
        return None
    return f"{float(change) * 100:+.0f} pts" if is_rate else f"{int(change):+,}"  # type: ignore[arg-type, call-overload]
