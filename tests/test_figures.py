"""The shared figure builders (figures/charts.py): labels from documents are shown as written,
and colours keep their meaning."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest
from colorspacious import cspace_convert, deltaE
from plotly.utils import PlotlyJSONEncoder

from figures import charts


def test_labels_from_documents_are_not_markup() -> None:
    # plotly reads <b>, <br> and <a href> inside labels; an owner or service name must not.
    owners = pd.DataFrame({"owner": ["<b>eve</b>", "R&D <br> ops"], "overdue": [2, 1]})
    figure = charts.horizontal_bars(owners, label="owner", value="overdue")
    assert list(figure.data[0].y) == ["&lt;b&gt;eve&lt;/b&gt;", "R&amp;D &lt;br&gt; ops"]
    cells = pd.DataFrame(
        {"service": ["<i>api</i>"], "category": ["<a href='x'>dns</a>"], "incidents": [3]}
    )
    grid = charts.heatmap(cells, x="category", y="service", z="incidents")
    assert list(grid.data[0].y) == ["&lt;i&gt;api&lt;/i&gt;"]
    assert list(grid.data[0].x) == ["&lt;a href='x'&gt;dns&lt;/a&gt;"]


def test_every_label_outside_the_configured_levels_is_grey() -> None:
    colours = charts.severity_colours(("SEV1", "SEV2"), ["SEV2", "unrated"])
    assert colours == {"SEV1": "#99000d", "SEV2": "#e6550d", "unrated": charts.UNRATED_COLOUR}
    bars = charts.severity_bars(
        pd.DataFrame({"period": ["2026-01"] * 2, "severity": ["unrated", "SEV2"],
                      "incidents": [1, 2]}),
        x="period", levels=("SEV1", "SEV2"),
    )  # fmt: skip
    # Legend order: configured levels first (most severe first), then the rest.
    assert [(t.name, t.marker.color) for t in bars.data] == [
        ("SEV2", "#e6550d"),
        ("unrated", charts.UNRATED_COLOUR),
    ]


def _x_order(figure: object) -> list[str]:
    return list(figure.layout.xaxis.categoryarray)  # type: ignore[attr-defined]


def test_time_axes_are_chronological_with_no_date_last() -> None:
    # Rows as a real store gave them: the first status band ("done") starts late, so plotly's
    # first-appearance order would read 2025Q3, 2025Q4, 2026Q1, 2025Q2, 2017Q3, no date.
    statuses = pd.DataFrame({
        "quarter": ["2025Q3", "2025Q4", "2026Q1", "no date", "2025Q2", "2017Q3", "2018Q1"],
        "status": ["done", "done", "done", "open", "open", "unknown", "unknown"],
        "items": [1, 2, 3, 4, 5, 6, 7],
    })  # fmt: skip
    chronological = ["2017Q3", "2018Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "no date"]
    bars = charts.status_bars(statuses, x="quarter")
    assert _x_order(bars) == chronological
    assert bars.layout.xaxis.type == "category"  # "no date" is not a date: keep it on the axis

    months = pd.DataFrame({"period": ["2026-02", "2025-11", "2026-01"],
                           "severity": ["SEV1", "SEV2", "SEV2"], "incidents": [1, 2, 3]})  # fmt: skip
    by_month = charts.severity_bars(months, x="period", levels=("SEV1", "SEV2"))
    assert _x_order(by_month) == ["2025-11", "2026-01", "2026-02"]

    # A line joins its points in row order: the rows themselves are put in time order.
    rates = pd.DataFrame(
        {"quarter": ["2026Q1", "2019Q4", "2025Q2"], "repeat_rate": [0.5, 0.0, 1.0]}
    )
    line = charts.rate_line(rates, x="quarter", y="repeat_rate", title="repeat rate")
    assert list(line.data[0].x) == ["2019Q4", "2025Q2", "2026Q1"]
    assert list(line.data[0].y) == [0.0, 1.0, 0.5]

    # Buckets that are not dates keep the order the query gives them.
    ageing = pd.DataFrame({"age_bucket": ["0–30 days", "over 365 days", "no date"],
                           "status": ["open", "unknown", "unknown"], "items": [1, 2, 3]})  # fmt: skip
    assert _x_order(charts.status_bars(ageing, x="age_bucket")) == [
        "0–30 days",
        "over 365 days",
        "no date",
    ]


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


# Colours apart by at least this in CAM02-UCS (ΔE' ≈ 1 is just noticeable): two bands of a
# stacked bar, or a band and its legend entry, are told apart at a glance.
APART = 10.0


@pytest.mark.parametrize("deficiency", ["protanomaly", "deuteranomaly", "tritanomaly", None])
@pytest.mark.parametrize(
    "palette",
    [
        (*charts.SEVERITY_PALETTE, charts.UNRATED_COLOUR),
        tuple(charts.STATUS_COLOURS.values()),
    ],
    ids=["severity", "status"],
)
def test_palettes_stay_apart_for_colour_blind_readers(
    palette: tuple[str, ...], deficiency: str | None
) -> None:
    # Machado et al. (2009) at full severity: what a dichromat sees, clipped to the screen.
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    seen = {
        c: np.clip(cspace_convert(_rgb(c), space, "sRGB1"), 0, 1) if deficiency else _rgb(c)
        for c in palette
    }
    closest = min(
        (float(deltaE(seen[a], seen[b], input_space="sRGB1")), a, b)
        for a, b in itertools.combinations(palette, 2)
    )
    assert closest[0] >= APART, f"{closest[1]} and {closest[2]} look alike: {closest}"


def test_status_bands_are_named_in_words_and_clicks_keep_the_stored_status() -> None:
    frame = pd.DataFrame(
        {
            "quarter": ["2026Q1"] * 3,
            "status": ["done", "in_progress", "wont_do"],
            "items": [2, 1, 1],
        }
    )
    figure = charts.status_bars(frame, x="quarter")
    # The legend says what the tables say; a click names the status the filters know.
    assert [t.name for t in figure.data] == ["done", "in progress", "won't do"]
    assert [t.customdata[0][1] for t in figure.data] == ["done", "in_progress", "wont_do"]
    assert "status=in progress" in figure.data[1].hovertemplate


def test_duration_groups_read_top_down_in_the_tables_order() -> None:
    # The query lists SEV1 first; plotly puts a category axis's first value at the bottom,
    # so the chart read unrated, SEV4 … SEV1 from the top while its table read SEV1 … unrated.
    frame = pd.DataFrame({
        "group": ["SEV1", "SEV2", "unrated"], "n": [6, 26, 6], "small_n": [False] * 3,
        "measure": ["time_to_recover"] * 3, "median_minutes": [180.0, 300.0, 290.0],
        "p90_minutes": [420.0, 480.0, 530.0],
    })  # fmt: skip
    figure = charts.distributions(frame, titles={"time_to_recover": "Time to recover"})
    assert list(figure.data[0].y)[0].startswith("SEV1")
    assert figure.layout.yaxis.autorange == "reversed"


def _px_stacked_bars(frame: pd.DataFrame, *, x: str, y: str, colour: str,
                     colours: dict[str, str] | None = None, order: list[str] | None = None,
                     template: str | None = None) -> go.Figure:  # fmt: skip
    """The figure plotly express draws for stacked_bars' arguments, as the module drew it."""
    figure = px.bar(
        charts._literal(frame, x, colour).assign(_x=frame[x], _colour=frame[colour]),
        template=template, x=x, y=y, color=colour,
        color_discrete_map={charts._label(k): v for k, v in (colours or {}).items()},
        category_orders={colour: [charts._label(o) for o in order]} if order else {},
        custom_data=["_x", "_colour"],
    )  # fmt: skip
    return charts._layout(charts._time_axis(figure, frame[x]))


@pytest.mark.parametrize("template", [None, "plotly_white"])
def test_stacked_bars_are_the_figure_plotly_express_draws(template: str | None) -> None:
    # Built trace by trace for speed, the figure must stay px.bar's: band order (an ordered
    # value not shown still takes its colour from the cycle, as px does), colours from the
    # map then the template's cycle, escaped labels, custom data, hover, axes.
    frame = pd.DataFrame({
        "quarter": ["2025Q2", "2025Q1", "2025Q1", "no date", "2025Q2", "2025Q1"],
        "band": ["b", "<i>a</i>", "c", "b", "d", "e"],
        "incidents": [3, 1, 2, 5, 4, 1],
    })  # fmt: skip
    kw = {"x": "quarter", "y": "incidents", "colour": "band", "colours": {"c": "#123456"},
          "order": ["d", "absent", "b"], "template": template}  # fmt: skip
    ours = charts.stacked_bars(frame, **kw).to_plotly_json()  # type: ignore[arg-type]
    theirs = _px_stacked_bars(frame, **kw).to_plotly_json()  # type: ignore[arg-type]
    assert [t["name"] for t in ours["data"]] == ["d", "b", "&lt;i&gt;a&lt;/i&gt;", "c", "e"]
    assert json.dumps(ours, cls=PlotlyJSONEncoder, sort_keys=True) == json.dumps(
        theirs, cls=PlotlyJSONEncoder, sort_keys=True
    )
