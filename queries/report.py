"""The quarterly review pack: a readable Markdown report and a zip of the CSVs behind it.

The dashboard's download buttons and `pmdash report` both write exactly these bytes. Text
from post-mortems is escaped so that a title cannot turn into a link, an image or markup,
and only http(s) links (already filtered in SQL) are written as links. Every section says
so in words when it is empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from queries.export import zip_of_csvs
from queries.filters import DIMENSION_LABELS
from queries.quarterly import QuarterReview
from queries.values import NO_VALUE, missing, number, percent

# Every piece of document text is written mid-line (after a date, inside a table cell), so
# only the characters with an inline meaning need escaping: emphasis, code, links, HTML,
# table cells, strike-through.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
RATE_METRICS = ("Repeat rate", "Closure rate of the quarter's action items")
# Sentences the Markdown and the HTML report share, so both say the same thing.
NO_INCIDENTS = "No incidents this quarter."
NO_SEVERE = "No SEV1–2 incidents this quarter."
NO_ITEMS = "No action items were opened, closed or overdue this quarter."
OPENED_NOTE = (
    "Action items are opened when created, else on their incident's date (most "
    "post-mortems do not say when an item was created). Overdue: not done and due "
    "before the quarter's last day."
)


def escape(text: Any) -> str:
    """Document text as literal Markdown text."""
    if missing(text):
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def format_value(metric: Any, value: Any) -> str:
    if missing(value):
        return NO_VALUE
    if metric in RATE_METRICS:
        return percent(value)
    return f"{int(value):d}"


def format_change(metric: Any, value: Any) -> str:
    if number(value) is None:
        return NO_VALUE
    if metric in RATE_METRICS:
        return f"{float(value) * 100:+.0f} points"
    return f"{int(value):+d}"


def _link(title: Any, url: Any) -> str:
    label = escape(title) or "(untitled)"
    if web_url(url):
        return f"[{label}](<{url.replace('>', '%3E')}>)"
    return label


def web_url(url: Any) -> str | None:
    """The link of a document, when it is a web link (never `javascript:` and the like)."""
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def day_text(value: Any) -> str:
    return "undated" if missing(value) else pd.Timestamp(value).date().isoformat()


def section_titles(review: QuarterReview) -> list[str]:
    """The report's sections, in order (the Markdown and the HTML report have the same)."""
    return [
        "Quarter against previous quarter",
        "SEV1–2 incidents",
        f"Recurring patterns (by {DIMENSION_LABELS[review.dim]})",
        "Action items opened, closed and overdue by owner",
    ]


def no_patterns(review: QuarterReview) -> str:
    return (
        f"No recurring patterns: no {DIMENSION_LABELS[review.dim]} had {review.threshold} or "
        f"more incidents within {review.window_days} days including one this quarter."
    )


def pattern_groups(review: QuarterReview) -> list[tuple[Any, pd.DataFrame]]:
    """Each recurring pattern's row with the frame of its incidents."""
    # Grouped once: filtering the members per pattern is quadratic, and there can be thousands.
    # Like `==`, grouping leaves out missing values, and it keeps the members' order.
    no_members = review.pattern_incidents.iloc[0:0]
    members = dict(tuple(review.pattern_incidents.groupby(review.dim, sort=False)))
    return [
        (row, members.get(getattr(row, review.dim), no_members))
        for row in review.patterns.itertuples(index=False)
    ]


def markdown(review: QuarterReview) -> str:
    q, previous = review.quarter, review.quarter.previous()
    dim = DIMENSION_LABELS[review.dim]
    comparing, severe, recurring, owned = section_titles(review)
    lines = [
        f"# Reliability review {q}",
        "",
        f"{q} ({q.start} to {q.end}) against {previous} ({previous.start} to {previous.end}).",
        f"Selection: {escape(review.filters.between(None, None).describe())}. "
        f"Repeats and patterns by {dim}, window {review.window_days} days, "
        f"pattern threshold {review.threshold} incidents.",
        "",
        f"## {comparing}",
        "",
    ]
    if review.incidents == 0:
        lines += [NO_INCIDENTS, ""]
    lines += [f"| Metric | {q} | {previous} | Change |", "|---|---:|---:|---:|"]
    for row in review.comparison.itertuples(index=False):
        lines.append(
            f"| {row.metric} | {format_value(row.metric, row.quarter)} | "
            f"{format_value(row.metric, row.previous_quarter)} | {format_change(row.metric, row.change)} |"
        )
    lines += ["", f"## {severe}", ""]
    if review.severe.empty:
        lines.append(NO_SEVERE)
    for row in review.severe.itertuples(index=False):
        services = f", {escape(row.services)}" if isinstance(row.services, str) else ""
        lines.append(f"- {day_text(row.incident_date)} {escape(row.severity)}{services}: "
                     f"{_link(row.title, row.url)}")  # fmt: skip
    lines += ["", f"## {recurring}", ""]
    if review.patterns.empty:
        lines.append(no_patterns(review))
    for row, members in pattern_groups(review):
        lines.append(
            f"- **{escape(getattr(row, review.dim))}**: {row.incidents} incidents from "
            f"{day_text(row.first_date)} to {day_text(row.last_date)}, at most "
            f"{row.most_in_one_window} in one window"
        )
        for item in members.itertuples(index=False):
            lines.append(
                f"  - {day_text(item.incident_date)} {escape(item.severity)}: "
                f"{_link(item.title, item.url)} "
                f"({item.action_items_done} of {item.action_items} action items done)"
            )
    lines += ["", f"## {owned}", ""]
    owners = review.items_by_owner
    if owners.empty:
        lines.append(NO_ITEMS)
    else:
        lines += ["| Owner | Opened | Closed | Overdue at quarter end |", "|---|---:|---:|---:|"]
        for row in owners.itertuples(index=False):
            lines.append(f"| {escape(row.owner)} | {row.opened} | {row.closed} | {row.overdue} |")
    lines += ["", OPENED_NOTE, ""]
    return "\n".join(lines)


def file_names(review: QuarterReview) -> tuple[str, str]:
    return f"reliability-review-{review.quarter}.md", f"reliability-review-{review.quarter}-csv.zip"


def csv_zip(review: QuarterReview) -> bytes:
    return zip_of_csvs(review.tables)


def write_pack(review: QuarterReview, out_dir: Path) -> list[Path]:
    """Write the report and the zip of CSVs into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report_name, zip_name = file_names(review)
    report, archive = out_dir / report_name, out_dir / zip_name
    report.write_text(markdown(review), encoding="utf-8")
    archive.write_bytes(csv_zip(review))
    return [report, archive]
