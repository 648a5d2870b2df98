"""The shared figure builders (figures/charts.py): labels from documents are shown as written,
and colours keep their meaning."""

from __future__ import annotations

import pandas as pd

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
