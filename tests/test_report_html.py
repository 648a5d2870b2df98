"""The HTML quarterly report: the Markdown report's sections with the dashboard's charts and
their numbers (the hand-built store's 2026Q2, worked out by hand), one inlined copy of plotly
and nothing fetched, document text escaped, and `pmdash report --quarter last`.
The browser test (tests/test_browser.py) opens it and prints it to PDF."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import lxml.html
import plotly.io as pio
import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

from cli import main
from loaders import store
from loaders.config import DEFAULT_SEVERITY_LEVELS
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import ActionItem, PostMortem
from loaders.store import connect_read_only
from queries import quarterly, report, report_html, review_charts
from queries.filters import Filters

SETTINGS = {"dim": "service", "window_days": 180, "threshold": 3}
LEVELS = tuple(DEFAULT_SEVERITY_LEVELS)


@pytest.fixture(scope="module")
def conn(hand_db: str) -> duckdb.DuckDBPyConnection:
    return connect_read_only(hand_db)


def _page(conn: duckdb.DuckDBPyConnection, quarter: quarterly.Quarter) -> str:
    review = quarterly.review(conn, Filters(), quarter, **SETTINGS)  # type: ignore[arg-type]
    return report_html.html(review, review_charts.collect(conn, review), severity_levels=LEVELS)


def _numbers(doc: lxml.html.HtmlElement, figure_id: str) -> list[list[str]]:
    """The rows of the numbers table under one chart, header first."""
    table = doc.get_element_by_id(figure_id).find_class("numbers")[0]
    return [[c.text_content() for c in row] for row in table.iter("tr")]


def _plots(doc: lxml.html.HtmlElement) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    """Each chart's data and layout, read from its `Plotly.newPlot(id, data, layout, …)` call."""
    decoder, plots = json.JSONDecoder(), {}
    for script in doc.iter("script"):
        text = script.text or ""
        at = text.find("Plotly.newPlot(")
        if at < 0:
            continue
        values: list[Any] = []
        at += len("Plotly.newPlot(")
        while len(values) < 3:
            while text[at] in " \n\t,":
                at += 1
            value, at = decoder.raw_decode(text, at)
            values.append(value)
        plots[values[0]] = (values[1], values[2])
    return plots


def test_the_html_report_has_the_markdown_sections_and_their_charts(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    review = quarterly.review(conn, Filters(), quarterly.Quarter(2026, 2), **SETTINGS)  # type: ignore[arg-type]
    doc = lxml.html.fromstring(_page(conn, quarterly.Quarter(2026, 2)))
    titles = [h.text_content() for h in doc.iter("h2")]
    assert titles == report.section_titles(review)
    markdown_titles = [
        line[3:] for line in report.markdown(review).splitlines() if line[:3] == "## "
    ]
    assert titles == markdown_titles
    figures = {f.get("id"): f.getparent().get("id") for f in doc.iter("figure")}
    assert figures == {
        "incidents-by-month": "comparison",
        "service-category": "patterns",
        "repeat-rate": "patterns",
        "status-by-quarter": "action-items",
        "overdue-by-owner": "action-items",
        "time-to-close": "action-items",
    }
    assert len(doc.find_class("plotly-graph-div")) == 6  # every chart has data in this quarter

    comparison = doc.get_element_by_id("comparison").find(".//table")
    rows = [[c.text_content() for c in r] for r in comparison.iter("tr")]
    assert rows[1] == ["Incidents", "4", "3", "+1"]  # as in the Markdown (test_report.py)

    # By month, 2025-07 to 2026-06: A (SEV1) in January, B and D (SEV2) in March, H (SEV3)
    # in April, E (no severity) in May, I and J (SEV3) in June; F is a drill. Empty months
    # are rows of zeros, so the axis has no gaps.
    by_month = _numbers(doc, "incidents-by-month")
    assert by_month[0] == ["period", "SEV1", "SEV2", "SEV3", "unrated", "total"]
    assert len(by_month) == 1 + 12 and by_month[1] == ["2025-07", "0", "0", "0", "0", "0"]
    # The charts' axes hold every period too, the empty ones at either end included.
    axes = {key: layout["xaxis"] for key, (_, layout) in _plots(doc).items()}
    assert axes["incidents-by-month-plot"]["categoryarray"] == [row[0] for row in by_month[1:]]
    assert axes["incidents-by-month-plot"]["range"] == [-0.5, 11.5]
    for key in ("status-by-quarter-plot", "repeat-rate-plot"):
        assert axes[key]["categoryarray"] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
        assert axes[key]["range"] == [-0.5, 3.5]
    assert by_month[7:] == [
        ["2026-01", "1", "0", "0", "0", "1"],
        ["2026-02", "0", "0", "0", "0", "0"],
        ["2026-03", "0", "2", "0", "0", "2"],
        ["2026-04", "0", "0", "1", "0", "1"],
        ["2026-05", "0", "0", "0", "1", "1"],
        ["2026-06", "0", "0", "2", "0", "2"],
    ]
    # Q2's cells, hottest first: I and J web × config, H api × deploy, E db × database.
    assert _numbers(doc, "service-category") == [
        ["service", "category", "incidents"],
        ["web", "config", "2"],
        ["api", "deploy", "1"],
        ["db", "database", "1"],
    ]
    # Repeats by service: Q2 H, E, J of 4; Q1 B of 3 (the comparison's rates); no incidents
    # in 2025Q3 and Q4, so no rate rather than 0%.
    assert _numbers(doc, "repeat-rate") == [
        ["quarter", "incidents", "repeats", "repeat rate"],
        ["2025Q3", "0", "0", "n/a"],
        ["2025Q4", "0", "0", "n/a"],
        ["2026Q1", "3", "1", "33%"],
        ["2026Q2", "4", "3", "75%"],
    ]
    # Opened in Q1: A1 done, A2 open, B1 unknown, B2 done, D1 in progress; in Q2: I1 done
    # (created 06-03), J1 open. Unknown is its own column.
    assert _numbers(doc, "status-by-quarter") == [
        ["quarter", "done", "in_progress", "open", "wont_do", "unknown", "total"],
        ["2025Q3", "0", "0", "0", "0", "0", "0"],
        ["2025Q4", "0", "0", "0", "0", "0", "0"],
        ["2026Q1", "2", "1", "1", "0", "1", "5"],
        ["2026Q2", "1", "0", "1", "0", "0", "2"],
    ]
    # Overdue on 06-30: A2 (bob, due 03-01) and D1 (dave, due 04-01), as in the owners table.
    assert _numbers(doc, "overdue-by-owner") == [["owner", "overdue"], ["bob", "1"], ["dave", "1"]]
    # Closed: A1 after 15 days (SEV1), B2 after 55 (SEV2), I1 after 7 (SEV3, from its
    # creation). p90 of 7, 15, 55: 15 + 0.8 × (55 − 15) = 47.
    assert _numbers(doc, "time-to-close") == [
        ["group", "items", "median days", "p90 days", "fewer than 5"],
        ["all items", "3", "15", "47", "yes"],
        ["SEV1", "1", "15", "15", "yes"],
        ["SEV2", "1", "55", "55", "yes"],
        ["SEV3", "1", "7", "7", "yes"],
    ]


def test_an_empty_quarter_says_so_instead_of_drawing(conn: duckdb.DuckDBPyConnection) -> None:
    review = quarterly.review(conn, Filters(sources=("nowhere",)), quarterly.Quarter(2026, 3),
                              **SETTINGS)  # type: ignore[arg-type]  # fmt: skip
    doc = lxml.html.fromstring(
        report_html.html(review, review_charts.collect(conn, review), severity_levels=LEVELS)
    )
    text = doc.text_content()
    assert not doc.find_class("plotly-graph-div")
    for sentence in (report.NO_INCIDENTS, report.NO_SEVERE, report.no_patterns(review),
                     report.NO_ITEMS, "No dated incidents from 2025Q4 to the quarter's end.",
                     "No incident of this quarter names both a service and a category, and none "
                     "is similar to another incident within 180 days.",
                     "No action item was overdue on 2026-09-30."):  # fmt: skip
        assert sentence in text


def test_one_self_contained_file(conn: duckdb.DuckDBPyConnection) -> None:
    page = _page(conn, quarterly.Quarter(2026, 2))
    doc = lxml.html.fromstring(page)
    assert page.count(get_plotlyjs()) == 1  # inlined once, not per chart
    scripts = list(doc.iter("script"))
    assert len(scripts) == 1 + 6  # plotly, then one call per chart
    # Nothing to fetch: no external script, style sheet, image or font.
    assert not doc.xpath("//*[@src] | //link | //img | //iframe")
    assert "@import" not in page and "url(" not in doc.find(".//style").text


def test_document_text_stays_text_and_only_web_links_are_links(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    hostile = "<script>alert(1)</script> [click](javascript:alert(2)) **bold** <img src=x onerror=alert(3)>"
    records = [
        PostMortem("docs", "git", "a.md", title=hostile, source_url="javascript:alert(4)",
                   incident_date=date(2026, 5, 1), severity="SEV1", severity_rank=1,
                   kind="incident", services=[("<b>pay</b>", "<b>pay</b>")],
                   categories=[('"><svg onload=alert(5)>', "x")], content_hash="a",
                   action_items=[ActionItem(1, "fix", owner="<i>mallory</i>", status="open",
                                            due_date=date(2026, 5, 2))]),
        PostMortem("docs", "git", "b.md", title="Plain", source_url="https://example.com/b?a=1&b=2",
                   incident_date=date(2026, 5, 2), severity="SEV2", severity_rank=2,
                   kind="incident", content_hash="b"),
    ]  # fmt: skip
    with store.writer(db) as c:
        store.insert_postmortems(c, records, datetime(2026, 5, 3))
        DashboardFacts().run(c, changed=True)  # the last step of a sync
    conn = connect_read_only(db)
    page = _page(conn, quarterly.Quarter(2026, 2))
    doc = lxml.html.fromstring(page)
    # The only elements are the page's own: one style, plotly's scripts, no img or svg.
    assert not doc.xpath("//img | //svg | //*[@onerror] | //*[@onload]")
    assert all("alert" not in s.text for s in doc.iter("script") if "Plotly.newPlot" not in s.text)
    # The title is shown exactly as written, as text, in the SEV1–2 list.
    severe = doc.get_element_by_id("severe")
    assert f"SEV1, <b>pay</b>: {hostile}" in severe.text_content()
    # Only web links are links; a javascript: link is plain text.
    assert [a.get("href") for a in doc.iter("a")] == ["https://example.com/b?a=1&b=2"]
    # Chart data: labels escaped for plotly, and plotly escapes < > / in the JSON it writes.
    calls = "".join(s.text for s in doc.iter("script") if "Plotly.newPlot" in s.text)
    assert "<" not in calls and "&lt;i&gt;mallory&lt;\\u002fi&gt;" in calls.replace("\\u0026", "&")
    owners = _numbers(doc, "overdue-by-owner")
    assert owners[1] == ["<i>mallory</i>", "1"]


def test_last_means_the_last_complete_quarter() -> None:
    assert quarterly.resolve("last", date(2026, 12, 1)) == quarterly.Quarter(2026, 3)
    assert quarterly.resolve("LAST", date(2027, 1, 1)) == quarterly.Quarter(2026, 4)
    assert quarterly.resolve("2025Q3", date(2027, 1, 1)) == quarterly.Quarter(2025, 3)


def test_pmdash_report_writes_the_html_beside_the_markdown(
    hand_db: str, tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    result = CliRunner().invoke(
        main, ["report", "--quarter", "last", "--out", str(tmp_path), "--db", hand_db,
               "--dim", "service"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    last = quarterly.latest_complete_quarter(date.today())
    names = [f"reliability-review-{last}.md", f"reliability-review-{last}.html",
             f"reliability-review-{last}-csv.zip"]  # fmt: skip
    assert result.output.splitlines() == [f"wrote {tmp_path / name}" for name in names]
    assert (tmp_path / names[1]).read_text() == _page(conn, last)
    bad = CliRunner().invoke(main, ["report", "--quarter", "latest", "--out", str(tmp_path),
                                    "--db", hand_db])  # fmt: skip
    assert bad.exit_code == 2 and "Or write 'last'" in bad.stderr


def test_the_report_draws_alike_whatever_the_default_plotly_template(
    conn: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Inside the dashboard the default is Streamlit's theme, whose colours are placeholders
    # (#000001…) that only its front end fills in: the page's download must not depend on it.
    alone = _page(conn, quarterly.Quarter(2026, 2))
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")
    assert _page(conn, quarterly.Quarter(2026, 2)) == alone


def test_without_services_the_patterns_section_shows_the_similar_groups(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    days = {"a": date(2026, 1, 20), "b": date(2026, 4, 10), "c": date(2026, 5, 2),
            "d": date(2026, 5, 5), "e": date(2025, 3, 1), "f": date(2025, 4, 1)}  # fmt: skip
    records = [
        PostMortem("docs", "git", f"{k}.md", title=f"Incident {k}", incident_date=day,
                   kind="incident", content_hash=k)
        for k, day in days.items()
    ]  # fmt: skip
    # What the similar-incidents step writes: each pair in both orders, with its group's name.
    # a, b and c are one group (linked through b); e and f another, a year older; d alone.
    pairs = [("a", "b", ["payments", "timeouts"]), ("b", "c", ["payments", "timeouts", "retry"]),
             ("e", "f", ["disk", "full"])]  # fmt: skip
    group = {"a": "Payments timeouts", "b": "Payments timeouts", "c": "Payments timeouts",
             "e": "Disk full <b>again</b>", "f": "Disk full <b>again</b>"}  # fmt: skip
    with store.writer(db) as c:
        store.insert_postmortems(c, records, datetime(2026, 6, 1))
        c.executemany(
            "insert into similar_incidents values (?, ?, ?, ?, ?)",
            [[f"docs:{x}.md", f"docs:{y}.md", 0.8, terms, group[x]]
             for one, other, terms in pairs for x, y in ((one, other), (other, one))],
        )  # fmt: skip
        DashboardFacts().run(c, changed=True)  # the last step of a sync
    doc = lxml.html.fromstring(_page(connect_read_only(db), quarterly.Quarter(2026, 2)))
    patterns = doc.get_element_by_id("patterns")
    assert [f.get("id") for f in patterns.iter("figure")] == ["similar-groups", "repeat-rate"]
    # Q2 2026 counted back 180 days (from 2025-10-03): a, b and c; e and f are older. The
    # shared terms by how many pairs share them: payments and timeouts 4 each, retry 2.
    assert _numbers(doc, "similar-groups") == [
        ["group", "incidents", "first", "last", "shared terms"],
        ["Payments timeouts", "3", "2026-01-20", "2026-05-02", "payments, timeouts, retry"],
    ]
    assert (
        "No incident of this quarter names both a service and a category, so they are grouped"
        in (patterns.text_content())
    )
