"""The quarterly review as one self-contained HTML file: the Markdown report's sections, each
with the dashboard's charts for it and the numbers of every chart in a table below it (a
printed page cannot hover).

Self-contained: plotly's JavaScript is inlined once in the head and every chart is a `div`
plus a call to it; fonts are the system's; nothing is fetched when the file is opened.
Print-ready: charts have a fixed width that fits an A4 or Letter page, and the print
stylesheet starts each section on a new page and never splits a chart or a table row.
Safe: the page is a Jinja2 template with autoescaping, so document text (titles, services,
owners…) is text, and only http(s) links become links; chart labels are escaped by
figures/charts.py, and plotly escapes `<`, `>` and `/` in the JSON it writes into scripts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from figures import charts
from queries import report
from queries.filters import DIMENSION_LABELS
from queries.quality import SMALL_N
from queries.quarterly import QuarterReview
from queries.review_charts import ReviewCharts
from queries.values import missing

CHART_WIDTH = 680  # CSS px: an A4 page less 12 mm margins is ~705 px wide
# Unquoted: the list sits in a <style> element, where autoescaped quotes would not be read.
FONTS = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": False}
# Named, never the process's default: inside the dashboard that is Streamlit's theme, whose
# colours are placeholders its front end fills in (a standalone file would draw them black).
TEMPLATE = "plotly_white"
Block = dict[str, Any]


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("queries", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def file_name(review: QuarterReview) -> str:
    return f"reliability-review-{review.quarter}.html"


def write(review: QuarterReview, data: ReviewCharts, out_dir: Path, *,
          severity_levels: tuple[str, ...]) -> Path:  # fmt: skip
    """Write the HTML report beside the Markdown one; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / file_name(review)
    path.write_text(html(review, data, severity_levels=severity_levels), encoding="utf-8")
    return path


def html(review: QuarterReview, data: ReviewCharts, *, severity_levels: tuple[str, ...]) -> str:
    q, previous = review.quarter, review.quarter.previous()
    comparing, severe, recurring, owned = report.section_titles(review)
    sections = [
        _section("comparison", comparing, _comparison(review), _incidents_chart(data, severity_levels)),
        _section("severe", severe, _severe(review)),
        _section("patterns", recurring, _patterns(review), _heatmap(review, data), _repeat_chart(data)),
        _section("action-items", owned, _owners(review), _status_chart(data), _overdue_chart(review, data),
                 _closing_chart(data)),
    ]  # fmt: skip
    return (
        _environment()
        .get_template("reliability_review.html.j2")
        .render(
            title=f"Reliability review {q}",
            period=f"{q} ({q.start} to {q.end}) against {previous} ({previous.start} to {previous.end}).",
            selection=f"Selection: {review.filters.between(None, None).describe()}. Repeats and "
            f"patterns by {DIMENSION_LABELS[review.dim]}, window {review.window_days} days, "
            f"pattern threshold {review.threshold} incidents. Trends: {data.first} to {q}.",
            sections=sections,
            plotly_js=Markup(get_plotlyjs()),
            width=CHART_WIDTH,
            fonts=FONTS,
        )
    )


def _section(key: str, title: str, *parts: list[Block] | Block) -> Block:
    blocks: list[Block] = []
    for part in parts:
        blocks += part if isinstance(part, list) else [part]
    return {"id": key, "title": title, "blocks": blocks}


def _text(text: str, style: str = "") -> Block:
    return {"kind": "text", "text": text, "style": style}


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> Block:
    return {"kind": "table", "header": header, "rows": rows, "numeric": numeric or set()}


def _entry(before: str, title: Any, url: Any, after: str = "") -> Block:
    label = "(untitled)" if missing(title) else " ".join(str(title).split())
    return {"before": before, "label": label, "url": report.web_url(url), "after": after, "children": []}  # fmt: skip


def _chart(key: str, title: str, figure: go.Figure | None, numbers: Block | None, *,
           height: int, caption: str = "", empty: str = "") -> Block:  # fmt: skip
    markup = None
    if figure is not None:
        figure.update_layout(width=CHART_WIDTH, height=height, font={"family": FONTS})
        markup = Markup(pio.to_html(figure, full_html=False, include_plotlyjs=False,
                                    div_id=f"{key}-plot", config=PLOTLY_CONFIG))  # fmt: skip
    return {"kind": "chart", "id": key, "title": title, "chart": markup, "numbers": numbers,
            "caption": caption, "empty": empty}  # fmt: skip


def _every_period(figure: go.Figure, periods: list[str]) -> go.Figure:
    """Every period of the trend on the x axis, in order, empty ones too: plotly would size
    the axis to the periods that have data and drop empty ones at either end."""
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=periods,
                        range=[-0.5, len(periods) - 0.5])  # fmt: skip
    return figure


def _text_of(value: Any) -> str:
    return "" if missing(value) else " ".join(str(value).split())


def _rate(value: Any) -> str:
    return "n/a" if missing(value) else f"{float(value):.0%}"


def _days(value: Any) -> str:
    return "n/a" if missing(value) else f"{float(value):.1f}".removesuffix(".0")


# Sections


def _comparison(review: QuarterReview) -> list[Block]:
    q, previous = review.quarter, review.quarter.previous()
    blocks = [_text(report.NO_INCIDENTS)] if review.incidents == 0 else []
    rows = [
        [row.metric, report.format_value(row.metric, row.quarter),
         report.format_value(row.metric, row.previous_quarter),
         report.format_change(row.metric, row.change)]
        for row in review.comparison.itertuples(index=False)
    ]  # fmt: skip
    return [*blocks, _table(["Metric", str(q), str(previous), "Change"], rows, {1, 2, 3})]


def _severe(review: QuarterReview) -> Block:
    if review.severe.empty:
        return _text(report.NO_SEVERE)
    items = []
    for row in review.severe.itertuples(index=False):
        services = f", {_text_of(row.services)}" if isinstance(row.services, str) else ""
        items.append(_entry(f"{report.day_text(row.incident_date)} {_text_of(row.severity)}{services}: ",
                            row.title, row.url))  # fmt: skip
    return {"kind": "list", "entries": items}


def _patterns(review: QuarterReview) -> Block:
    if review.patterns.empty:
        return _text(report.no_patterns(review))
    items = []
    for row, members in report.pattern_groups(review):
        item = _entry("", getattr(row, review.dim), None,
                      f": {row.incidents} incidents from {report.day_text(row.first_date)} to "
                      f"{report.day_text(row.last_date)}, at most {row.most_in_one_window} in one window")  # fmt: skip
        item["children"] = [
            _entry(f"{report.day_text(m.incident_date)} {_text_of(m.severity)}: ", m.title, m.url,
                   f" ({m.action_items_done} of {m.action_items} action items done)")
            for m in members.itertuples(index=False)
        ]  # fmt: skip
        items.append(item)
    return {"kind": "list", "entries": items}


def _owners(review: QuarterReview) -> list[Block]:
    owners = review.items_by_owner
    if owners.empty:
        return [_text(report.NO_ITEMS)]
    rows = [
        [_text_of(r.owner), r.opened, r.closed, r.overdue] for r in owners.itertuples(index=False)
    ]
    return [
        _table(["Owner", "Opened", "Closed", "Overdue at quarter end"], rows, {1, 2, 3}),
        _text(report.OPENED_NOTE, "note"),
    ]


# Charts, each with the table of its numbers


def _grid(frame: pd.DataFrame, *, rows: str, columns: str, values: str, row_order: list[str],
          column_order: list[str]) -> Block:  # fmt: skip
    grid = frame.pivot_table(index=rows, columns=columns, values=values, aggfunc="sum",
                             fill_value=0).reindex(index=row_order, columns=column_order, fill_value=0)  # fmt: skip
    header = [rows, *column_order, "total"]
    body = [
        [_text_of(label), *(int(v) for v in counts), int(sum(counts))]
        for label, counts in zip(grid.index, grid.to_numpy().tolist(), strict=True)
    ]
    return _table(header, body, set(range(1, len(header))))


def _incidents_chart(data: ReviewCharts, levels: tuple[str, ...]) -> Block:
    frame = data.incidents_by_month
    title = "Incidents by month and severity"
    empty = f"No dated incidents from {data.first} to the quarter's end."
    if frame.empty:
        return _chart("incidents-by-month", title, None, None, height=0, empty=empty)
    figure = charts.severity_bars(frame, x="period", levels=levels, y_title="incidents",
                                  template=TEMPLATE)  # fmt: skip
    _every_period(figure, data.months)
    shown = list(charts.severity_colours(levels, list(frame["severity"].unique())))
    order = [s for s in shown if s in set(frame["severity"])]
    return _chart("incidents-by-month", title, figure,
                  _grid(frame, rows="period", columns="severity", values="incidents",
                        row_order=data.months, column_order=order),
                  height=280, empty=empty,
                  caption="Post-mortems without a date cannot be placed in time and are not counted.")  # fmt: skip


def _heatmap(review: QuarterReview, data: ReviewCharts) -> Block:
    frame = data.service_category
    if frame.empty:
        return _similar_chart(review, data)
    title = f"Incidents by service and category in {review.quarter}"
    services = frame["service"].nunique()
    figure = charts.heatmap(frame, x="category", y="service", z="incidents", template=TEMPLATE)
    # The cells with incidents, hottest first: a full grid would not fit a page's width.
    cells = frame.sort_values(["incidents", "service", "category"], ascending=[False, True, True])
    rows = [
        [_text_of(r.service), _text_of(r.category), r.incidents]
        for r in cells.itertuples(index=False)
    ]
    return _chart("service-category", title, figure,
                  _table(["service", "category", "incidents"], rows, {2}),
                  height=120 + 26 * services,
                  caption="An incident with several services or categories counts in each cell.")  # fmt: skip


def _similar_chart(review: QuarterReview, data: ReviewCharts) -> Block:
    """Where the heatmap has nothing to show, what the incidents say: groups of similar ones."""
    frame = data.similar_groups
    title = f"Groups of similar incidents active in {review.quarter}"
    missing_services = "No incident of this quarter names both a service and a category"
    if frame.empty:
        return _chart("similar-groups", title, None, None, height=0,
                      empty=f"{missing_services}, and none is similar to another incident "
                            f"within {review.window_days} days.")  # fmt: skip
    # A group is named after its earliest title: shortened on the chart, whole in the table.
    labels = frame.assign(group=[_shortened(_text_of(g)) for g in frame["group"]])
    figure = charts.horizontal_bars(labels, label="group", value="incidents", title="incidents",
                                    template=TEMPLATE)  # fmt: skip
    rows = [[_text_of(r.group), r.incidents, report.day_text(r.first_date),
             report.day_text(r.last_date), _text_of(r.shared_terms)]
            for r in frame.itertuples(index=False)]  # fmt: skip
    return _chart("similar-groups", title, figure,
                  _table(["group", "incidents", "first", "last", "shared terms"], rows, {1}),
                  height=100 + 26 * len(frame),
                  caption=f"{missing_services}, so they are grouped by what they say: incidents "
                          "whose titles and texts are alike, directly or through each other, named "
                          f"after the earliest. Groups with an incident this quarter, counted back "
                          f"{review.window_days} days.")  # fmt: skip


def _shortened(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _repeat_chart(data: ReviewCharts) -> Block:
    frame = data.repeat_rate_by_quarter
    figure = None
    if frame["incidents"].sum() > 0:
        figure = charts.rate_line(frame, x="quarter", y="repeat_rate", title="repeat rate",
                                  template=TEMPLATE)  # fmt: skip
        _every_period(figure, [str(q) for q in data.quarters])
    rows = [
        [r.quarter, r.incidents, r.repeats, _rate(r.repeat_rate)]
        for r in frame.itertuples(index=False)
    ]
    return _chart("repeat-rate", "Repeat rate by quarter", figure,
                  _table(["quarter", "incidents", "repeats", "repeat rate"], rows, {1, 2, 3}),
                  height=280, empty=f"No dated incidents from {data.first} to the quarter's end.",
                  caption="Repeats / incidents of each quarter (by incident date); n/a: no incidents.")  # fmt: skip


def _status_chart(data: ReviewCharts) -> Block:
    frame = data.status_by_quarter
    title = "Action-item status by quarter opened"
    if frame.empty:
        return _chart("status-by-quarter", title, None, None, height=0,
                      empty=f"No action items opened from {data.first} to the quarter's end.")  # fmt: skip
    quarters = [str(q) for q in data.quarters]
    figure = charts.status_bars(frame, x="quarter", y_title="items", template=TEMPLATE)
    _every_period(figure, quarters)
    return _chart("status-by-quarter", title, figure,
                  _grid(frame, rows="quarter", columns="status", values="items",
                        row_order=quarters, column_order=charts.STATUS_ORDER),
                  height=320,
                  caption="Items of the incidents of these quarters, by the quarter of their creation "
                          "date, else of their incident's date. Unknown (the document gives no "
                          "status) is its own band, never counted as open or done.")  # fmt: skip


def _overdue_chart(review: QuarterReview, data: ReviewCharts) -> Block:
    frame = data.overdue_by_owner
    title = f"Overdue by owner on {review.quarter.end}"
    if frame.empty:
        return _chart("overdue-by-owner", title, None, None, height=0,
                      empty=f"No action item was overdue on {review.quarter.end}.")  # fmt: skip
    figure = charts.horizontal_bars(frame, label="owner", value="overdue", title="overdue items",
                                    template=TEMPLATE)  # fmt: skip
    rows = [[_text_of(r.owner), r.overdue] for r in frame.itertuples(index=False)]
    return _chart("overdue-by-owner", title, figure, _table(["owner", "overdue"], rows, {1}),
                  height=100 + 26 * len(frame),
                  caption="Open or in progress, due before the quarter's last day.")  # fmt: skip


def _closing_chart(data: ReviewCharts) -> Block:
    frame = data.time_to_close
    title = "Time to close"
    if frame.empty or frame["n"].max() == 0:  # the "all items" row is there even when n = 0
        return _chart("time-to-close", title, None, None, height=0,
                      empty="No done action item of these quarters states when it was closed.")  # fmt: skip
    figure = charts.distributions(frame.assign(measure="close"), unit="days", template=TEMPLATE,
                                  titles={"close": "days from opened to closed"})  # fmt: skip
    figure.update_yaxes(autorange="reversed")  # in the table's order, all items first
    rows = [[_text_of(r.group), r.n, _days(r.median_days), _days(r.p90_days), "yes" if r.small_n else ""]
            for r in frame.itertuples(index=False)]  # fmt: skip
    return _chart("time-to-close", title, figure,
                  _table(["group", "items", "median days", "p90 days", f"fewer than {SMALL_N}"], rows,
                         {1, 2, 3}),
                  height=100 + 30 * len(frame),
                  caption=f"Done items of the incidents from {data.first} to {data.quarters[-1]} with a "
                          "closing date: days from opened to closed, median and p90 per severity.")  # fmt: skip
