"""The dashboard in a real browser: `streamlit run dashboard.py`, headless Chromium.

Every page is opened by its URL, with filters in the query string, as the very first request
to a freshly started server: the case Streamlit's legacy multipage mode gets wrong (a
`pages/` folder beside the entry script) unless the app hands over to `st.navigation`
(pages/ui/navigation.py). Each page must show the frame (navigation and sidebar filters
holding the URL's values), its title, its charts and its data, and no error. Two of the
servers then switch page to check that the filters and the URL survive the switch.

Needs Debian's `chromium` (installed by .ci/run); `PMDASH_CHROMIUM` overrides the path.
Screenshots go to `$PMDASH_TEST_ARTIFACTS` (default tests/artifacts/browser).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from loaders import store
from loaders.config import DEFAULT_SEVERITY_LEVELS
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import ActionItem, PostMortem
from loaders.store import connect_read_only
from queries import quarterly, report_html, review_charts
from queries.filters import DEFAULT_DIM, Filters
from queries.quarterly import Quarter

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PMDASH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("PMDASH_TEST_ARTIFACTS", REPO / "tests" / "artifacts" / "browser"))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
STARTUP_LIMIT = 60.0  # seconds for a server to answer its health check
RENDER_LIMIT_MS = 60_000
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


@dataclass
class DeepLink:
    name: str
    path: str
    title: str
    charts: int  # plotly charts the page draws for this selection
    sidebar_shows: list[str]  # filter values from the URL that the sidebar must hold
    page_shows: list[str] = field(default_factory=list)  # text the page must contain
    switch_to: str = ""  # a page to switch to afterwards, keeping the filters
    panel_shows: list[str] = field(default_factory=list)  # text the incident panel must hold


def first_sev1(db: str) -> tuple[str, str]:
    with duckdb.connect(db, read_only=True) as conn:
        row = conn.execute(
            "select incident_id, title from incidents where severity = 'SEV1' "
            "order by incident_date desc limit 1"
        ).fetchall()[0]
    return row[0], row[1]


def deep_links(db: str) -> list[DeepLink]:
    incident_id, title = first_sev1(db)
    return [
        DeepLink("root", "/?severity=SEV1&severity=SEV2", "Overview", 4, ["SEV1", "SEV2"],
                 ["Incidents over time"], switch_to="Recurrence"),
        DeepLink("overview", "/overview?period=quarter&split=category&severity=SEV1", "Overview", 4, ["SEV1"],
                 ["Latest post-mortems"]),
        DeepLink("recurrence", "/recurrence?service=checkout&dim=service", "Recurrence", 2,
                 ["checkout"], ["Recurring patterns (by service)"],
                 switch_to="Incidents"),
        DeepLink("action_items", "/action_items?as_of=2026-06-30&category=deployment",
                 "Action items", 2, ["deployment"], ["Overdue on 2026-06-30"]),
        DeepLink("quarterly_review", "/quarterly_review?quarter=2026Q3&severity=SEV1",
                 "Quarterly review", 0, ["SEV1"], ["2026Q3 against 2026Q2", "SEV1–2 incidents"]),
        DeepLink("incidents", f"/incidents?incident={incident_id}&severity=SEV1", "Incidents",
                 0, ["SEV1"], panel_shows=[title, "Related incidents", "Action items"]),
        DeepLink("data_sources", "/data_sources?source=sample", "Data & sources", 1, ["sample"],
                 ["Last sync per source", "Field coverage by source"]),
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    """One browser context for all tests, so the app's JavaScript is fetched once."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium package"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        yield context
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def port() -> int:
    # Every fresh server listens on the same port, one after the other, so the browser's
    # cache of Streamlit's static files (same origin) carries over; the server state does not.
    return free_port()


@contextmanager
def started_server(db: str, folder: Path, port: int, config: Path | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py` on `db` (and `config`); yields its base URL."""
    env = {k: v for k, v in os.environ.items() if k != "PMDASH_CONFIG"}
    env["PMDASH_DB"] = db
    if config is not None:
        env["PMDASH_CONFIG"] = str(config)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard.py"),
         "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
         "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, (folder / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def fresh_server(sample_db: str, tmp_path: Path, port: int) -> Iterator[str]:
    """A newly started `streamlit run dashboard.py` on the sample store; yields its base URL."""
    with started_server(sample_db, tmp_path, port) as base:
        yield base


def wait_until_rendered(page: Page, title: str, charts: int) -> None:
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=RENDER_LIMIT_MS)
    page.wait_for_function(
        """n => !document.querySelector("[data-testid='stStatusWidget']")
              && document.querySelectorAll("[data-testid='stSkeleton']").length === 0
              && document.querySelectorAll('.js-plotly-plot').length >= n""",
        arg=charts,
        timeout=RENDER_LIMIT_MS,
    )


def assert_page(page: Page, link: DeepLink) -> None:
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    assert page.locator("h1").first.inner_text() == link.title
    assert page.locator(".js-plotly-plot").count() == link.charts
    nav = page.locator(
        "[data-testid='stSidebarNavLink'] [data-testid='stMarkdownContainer']"
    ).all_inner_texts()
    assert nav == ["Overview", "Recurrence", "Action items", "Quarterly review", "Incidents",
                   "Data & sources", "Triage"]  # fmt: skip
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    for value in link.sidebar_shows:
        assert value in sidebar, f"the sidebar lost {value!r} from the URL"
    main = page.locator("[data-testid='stMain']").inner_text()
    for text in link.page_shows:
        assert text in main
    if link.panel_shows:
        panel = page.locator("[role='dialog']").inner_text()
        for text in link.panel_shows:
            assert text in panel
    assert page.locator("[data-testid='stDataFrame'], [data-testid='stMetricValue']").count() > 0


@pytest.mark.parametrize("index", range(7), ids=lambda i: ["root", "overview", "recurrence",
                         "action_items", "quarterly_review", "incidents", "data_sources"][i])  # fmt: skip
def test_a_shared_link_is_the_first_request_to_a_fresh_server(
    index: int, fresh_server: str, browser: BrowserContext, sample_db: str
) -> None:
    link = deep_links(sample_db)[index]
    page = browser.new_page()
    try:
        page.goto(fresh_server + link.path)
        wait_until_rendered(page, link.title, link.charts)
        # Under load the run can still be on its way when no status shows yet (seen on the
        # Quarterly review): wait for the text the page must show as well.
        for text in link.page_shows:
            page.locator("[data-testid='stMain']").get_by_text(text).first.wait_for(
                timeout=RENDER_LIMIT_MS
            )
        # The incident panel draws its parts one after the other (seen under load: its
        # action items shown, its related incidents not yet).
        for text in link.panel_shows:
            page.locator("[role='dialog']").get_by_text(text).first.wait_for(
                timeout=RENDER_LIMIT_MS
            )
        page.screenshot(path=str(ARTIFACTS / f"{link.name}.png"))
        assert_page(page, link)
        query = link.path.split("?", 1)[1]
        assert page.url.endswith(query), "the URL keeps the shared filters"
        if link.switch_to:
            page.locator("[data-testid='stSidebarNavLink']", has_text=link.switch_to).click()
            wait_until_rendered(page, link.switch_to, 0)
            page.wait_for_function("q => location.search.includes(q)", arg=query.split("&")[0])
            page.screenshot(path=str(ARTIFACTS / f"{link.name}-then-{link.switch_to.lower()}.png"))
            sidebar = page.locator("[data-testid='stSidebar']").inner_text()
            for value in link.sidebar_shows:
                assert value in sidebar, f"switching pages lost {value!r}"
            assert page.locator(ERRORS).count() == 0
    finally:
        page.close()


TRIAGE_DOCS = {
    # Stated severity SEV3: not among the SEV1-2 incidents, and nothing left to triage.
    "a.md": "# 2026-03-01 Checkout down\n\nSeverity: SEV3\nServices: checkout\n"
    "Category: database\n\n## Summary\nQueries timed out.\n",
    # No severity: the one row of the Triage page.
    "b.md": "# 2026-03-05 Payments errors\n\nServices: payments\nCategory: certificate\n\n"
    "## Summary\nThe TLS certificate expired.\n",
}


def severities_in_legend(page: Page) -> list[str]:
    """The legend of the Overview's first chart (incidents over time by severity); SVG text
    has no innerText, so its textContent."""
    return (
        page.locator(".js-plotly-plot")
        .first.locator(".legendtext")
        .evaluate_all("items => items.map(item => item.textContent)")
    )


def open_cell_editor(page: Page, x: float, y: float) -> None:
    """Double-click a cell of a data editor until its editor opens (a click that lands while
    the app reruns is lost)."""
    editor = page.locator("[id^='gdg-overlay']")
    for _ in range(5):
        page.mouse.dblclick(x, y)
        try:
            editor.first.wait_for(state="visible", timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the cell editor did not open")


def test_triage_edit_a_cell_save_and_the_chart_changes(
    tmp_path: Path, port: int, browser: BrowserContext
) -> None:
    from conftest import git_source

    from loaders.config import load_config
    from loaders.enrich import steps_for
    from loaders.sync import sync

    (tmp_path / "docs").mkdir()
    for name, text in TRIAGE_DOCS.items():
        (tmp_path / "docs" / name).write_text(text)
    config_path = tmp_path / "pmdash.toml"
    config_path.write_text('[[sources]]\nname = "docs"\nkind = "git"\npath = "docs"\n')
    config = load_config(config_path)
    db = str(tmp_path / "store.duckdb")
    sync(db, [git_source(tmp_path / "docs", config=config)], None, steps_for(config))
    with started_server(db, tmp_path, port, config_path) as base:
        page = browser.new_page()
        try:
            page.goto(base + "/overview")
            wait_until_rendered(page, "Overview", 1)
            legend = severities_in_legend(page)
            assert "SEV1" not in legend and "unrated" in legend

            page.goto(base + "/triage")
            page.get_by_text("No change yet").wait_for(timeout=RENDER_LIMIT_MS)
            # The editor is a canvas: double-click the severity cell of the first row (the
            # title column is "medium", 200 px; rows and the header are 35 px high), type, Enter.
            grid = page.locator("[data-testid='stDataFrameResizable']").first.bounding_box()
            assert grid is not None
            open_cell_editor(page, grid["x"] + 200 + 37, grid["y"] + 35 + 17)
            page.keyboard.type("SEV1")
            page.keyboard.press("Enter")
            page.get_by_text("1 post-mortem changed and not saved yet.").wait_for(
                timeout=RENDER_LIMIT_MS
            )
            page.get_by_role("button", name="Save").click()
            page.get_by_text("Saved 1 post-mortem to pmdash-curation.yaml and synced.").wait_for(
                timeout=RENDER_LIMIT_MS
            )
            page.screenshot(path=str(ARTIFACTS / "triage-saved.png"))
            assert page.locator(ERRORS).count() == 0
            assert (
                "docs:b.md:\n  severity: SEV1\n" in (tmp_path / "pmdash-curation.yaml").read_text()
            )

            page.goto(base + "/overview")
            wait_until_rendered(page, "Overview", 1)
            page.screenshot(path=str(ARTIFACTS / "triage-then-overview.png"))
            legend = severities_in_legend(page)
            assert "SEV1" in legend and "unrated" not in legend
        finally:
            page.close()


# Browsing: from a chart or a table to one incident, with clicks only.


def cell_point(page: Page, table: str, row: int, x: int = 120) -> tuple[float, float]:
    """Where a row of a table is on screen: Streamlit's grid is a canvas, 35 px a row under
    a 35 px header, so a click goes to coordinates (x: inside the title, the first column)."""
    page.locator(table).scroll_into_view_if_needed()
    box = page.locator(table).bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + 35 * (row + 1) + 17


def click_at(page: Page, point: tuple[float, float]) -> None:
    """Point, then click, as a hand does: the grid finds the cell under the pointer on the
    move, and ignores a click that arrives with no move before it (after a dialog closes)."""
    page.mouse.move(*point)
    page.wait_for_timeout(300)
    page.mouse.click(*point)


def wait_for_panel(page: Page, title: str) -> str:
    page.wait_for_selector(f"[role='dialog'] h3:has-text({title!r})", timeout=RENDER_LIMIT_MS)
    # The field list (an expander) is the panel's last part: drawn means the panel is whole.
    page.wait_for_selector("[role='dialog'] [data-testid='stExpander']", timeout=RENDER_LIMIT_MS)
    return page.locator("[role='dialog']").inner_text()


def test_a_click_on_a_row_opens_the_incident_and_its_url_opens_it_again(
    browser: BrowserContext, sample_db: str, tmp_path: Path, port: int
) -> None:
    with duckdb.connect(sample_db, read_only=True) as conn:
        # The Incidents table lists SEV1 incidents newest first (incident_table.sql).
        (incident_id, title), (_, second) = conn.execute(
            "select incident_id, title from incidents where severity = 'SEV1' "
            "and coalesce(kind, 'incident') = 'incident' "
            "order by incident_date desc nulls last, started_at desc nulls last, incident_id "
            "limit 2"
        ).fetchall()
        items = conn.execute(
            "select count(*) from action_items where incident_id = ?", [incident_id]
        ).fetchall()[0][0]
    with started_server(sample_db, tmp_path, port) as base:
        page = browser.new_page()
        try:
            page.goto(f"{base}/incidents?severity=SEV1")
            wait_until_rendered(page, "Incidents", 0)
            click_at(page, cell_point(page, "[data-testid='stDataFrame']", 0))
            panel = wait_for_panel(page, title)
            page.screenshot(path=str(ARTIFACTS / "incident-panel.png"))
            assert "Related incidents" in panel and "Every field" in panel
            grids = page.locator("[role='dialog'] [data-testid='stDataFrame']")
            # The action items table: one row per item (plus the header).
            assert grids.first.get_attribute("aria-rowcount") in (None, str(items + 1))
            copied = page.url
            assert f"incident={urllib.parse.quote(incident_id)}" in copied
            assert "severity=SEV1" in copied

            # Closing the panel takes the incident out of the URL; the next row opens.
            page.locator("[role='dialog'] button[aria-label='Close']").click()
            page.wait_for_function("() => !location.search.includes('incident=')")
            click_at(page, cell_point(page, "[data-testid='stDataFrame']", 1))
            wait_for_panel(page, second)
        finally:
            page.close()
    # The copied address, as the very first request to a freshly started server.
    with started_server(sample_db, tmp_path, port):
        page = browser.new_page()
        try:
            page.goto(copied)
            wait_until_rendered(page, "Incidents", 0)
            panel = wait_for_panel(page, title)
            assert "Related incidents" in panel
            assert page.locator(ERRORS).count() == 0
            assert "SEV1" in page.locator("[data-testid='stSidebar']").inner_text()
        finally:
            page.close()


MARK = """([index, x, y]) => {
  const plot = document.querySelectorAll('.js-plotly-plot')[index];
  plot.scrollIntoView({block: 'center'});
  const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
  const box = plot.getBoundingClientRect();
  const at = (axis, v) => axis.l2p(axis.type === 'category' ? axis.d2c(v) : v);
  return [box.left + xa._offset + at(xa, x), box.top + ya._offset + at(ya, y)];
}"""  # where a data point of a plotly chart is on the page (axis value -> pixel)


def test_a_click_on_a_heatmap_cell_or_a_bar_lists_its_incidents(
    browser: BrowserContext, sample_db: str, tmp_path: Path, port: int
) -> None:
    with duckdb.connect(sample_db, read_only=True) as conn:
        # Incidents naming both payments and deployment: the heatmap cell's count.
        cell = conn.execute(
            "select count(distinct i.incident_id) from incidents i "
            "join incident_services s using (incident_id) "
            "join incident_categories c using (incident_id) "
            "where s.service = 'payments' and c.category = 'deployment' "
            "and coalesce(i.kind, 'incident') = 'incident'"
        ).fetchall()[0][0]
        top_service, top_count = conn.execute(
            "select s.service, count(*) from incidents i join incident_services s "
            "using (incident_id) where coalesce(i.kind, 'incident') = 'incident' "
            "group by 1 order by 2 desc, 1 limit 1"
        ).fetchall()[0]
        # The tallest band of the chart over time: a month's incidents of one severity.
        month, level, band = conn.execute(
            "select strftime(incident_date, '%Y-%m'), severity, count(*) from incidents "
            "where severity is not null and coalesce(kind, 'incident') = 'incident' "
            "and incident_date is not null group by 1, 2 order by 3 desc, 1, 2 limit 1"
        ).fetchall()[0]
    with started_server(sample_db, tmp_path, port) as base:
        page = browser.new_page()
        try:
            page.goto(f"{base}/recurrence")
            wait_until_rendered(page, "Recurrence", 2)
            click_at(page, page.evaluate(MARK, [0, "deployment", "payments"]))
            heading = f"payments × deployment: {cell} incidents"
            page.get_by_text(heading).wait_for(timeout=RENDER_LIMIT_MS)
            page.screenshot(path=str(ARTIFACTS / "heatmap-click.png"), full_page=True)
            rows = ".st-key-drill-service-category [data-testid='stDataFrame']"
            assert page.locator(rows).get_attribute("aria-rowcount") in (None, str(cell + 1))
            # A row of the panel opens its incident.
            click_at(page, cell_point(page, rows, 0))
            page.wait_for_selector("[role='dialog'] h3", timeout=RENDER_LIMIT_MS)
            assert "incident=" in page.url
            page.locator("[role='dialog'] button[aria-label='Close']").click()
            page.wait_for_function("() => !location.search.includes('incident=')")
            # The button makes the click the sidebar's filter.
            page.get_by_role("button", name="Apply to the filters").click()
            page.wait_for_function(
                "() => location.search.includes('service=payments')"
                " && location.search.includes('category=deployment')"
            )

            page.goto(f"{base}/overview")
            wait_until_rendered(page, "Overview", 4)
            # The chart of top services: horizontal bars, one of them the top service.
            index = page.evaluate(
                "name => [...document.querySelectorAll('.js-plotly-plot')].findIndex("
                "p => p.data[0].orientation === 'h' && p.data[0].customdata"
                " && p.data[0].customdata.some(d => d[0] === name))",
                top_service,
            )
            assert index >= 0
            bar = page.evaluate(MARK, [index, top_count / 2, top_service])
            click_at(page, bar)
            heading = f"{top_service}: {top_count} incidents"
            page.get_by_text(heading).wait_for(timeout=RENDER_LIMIT_MS)
            page.screenshot(path=str(ARTIFACTS / "bar-click.png"), full_page=True)
            assert page.locator(ERRORS).count() == 0

            # A band of a bar of incidents over time: that month's incidents of that severity.
            assert band > 1, "the sample must give the band several incidents"
            click_at(page, page.evaluate(BAND, [month, level]))
            page.get_by_text(f"{level}, {month}: {band} incidents").wait_for(
                timeout=RENDER_LIMIT_MS
            )
            rows = ".st-key-drill-incidents-by-severity [data-testid='stDataFrame']"
            assert page.locator(rows).get_attribute("aria-rowcount") in (None, str(band + 1))
            # The top service's panel is still open above: this panel's own button.
            panel = page.locator(".st-key-drill-incidents-by-severity")
            panel.get_by_role("button", name="Apply to the filters").click()
            page.wait_for_function(
                f"() => location.search.includes('since={month}-01')"
                f" && location.search.includes('severity={level}')"
            )
        finally:
            page.close()


BAND = """([x, band]) => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const plot = plots.find(p => p.data.some(d => (d.customdata || []).some(c => c[1] === band)));
  plot.scrollIntoView({block: 'center'});
  const t = plot.data.findIndex(d => (d.customdata || []).some(c => c[1] === band));
  const i = plot.data[t].customdata.findIndex(c => c[0] === x && c[1] === band);
  const bar = plot.calcdata[t][i], xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
  const box = plot.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(bar.p), box.top + ya._offset + ya.l2p((bar.s0 + bar.s1) / 2)];
}"""  # where the band of a stacked bar chart (x, colour as in its custom data) is on the page


def test_a_click_on_a_theme_or_a_status_band_lists_its_incidents(
    browser: BrowserContext, enriched_db: str, tmp_path: Path, port: int
) -> None:
    with duckdb.connect(enriched_db, read_only=True) as conn:
        # The theme with the most incidents in one quarter (by incident date), and that count.
        theme, quarter, in_theme = conn.execute(
            "select t.label, strftime(i.incident_date, '%Y') || 'Q' || quarter(i.incident_date),"
            " count(*) from incident_themes it join themes t using (theme_id)"
            " join incidents i using (incident_id)"
            " where coalesce(i.kind, 'incident') = 'incident' and i.incident_date is not null"
            " group by all order by 3 desc, 1, 2 limit 1"
        ).fetchall()[0]
        # Incidents with an open action item opened (created, else the incident's date) in
        # the quarter with the most such items: the band the Action items page stacks.
        opened, with_open = conn.execute(
            "select strftime(o, '%Y') || 'Q' || quarter(o), count(distinct incident_id) from ("
            " select a.incident_id, coalesce(a.created_at, cast(i.incident_date as timestamp))"
            " as o from action_items a join incidents i using (incident_id)"
            " where coalesce(i.kind, 'incident') = 'incident' and a.status = 'open')"
            " where o is not null group by 1 order by count(*) desc, 1 limit 1"
        ).fetchall()[0]
    assert in_theme > 1 and with_open > 1, "the sample must give both bands several incidents"
    with started_server(enriched_db, tmp_path, port) as base:
        page = browser.new_page()
        try:
            page.goto(f"{base}/recurrence")
            wait_until_rendered(page, "Recurrence", 3)
            click_at(page, page.evaluate(BAND, [quarter, theme]))
            page.get_by_text(f"theme “{theme}”, {quarter}: {in_theme} incidents").wait_for(
                timeout=RENDER_LIMIT_MS
            )
            rows = ".st-key-drill-themes-by-quarter [data-testid='stDataFrame']"
            assert page.locator(rows).get_attribute("aria-rowcount") in (None, str(in_theme + 1))
            click_at(page, cell_point(page, rows, 0))
            panel = wait_for_panel(page, "")
            assert "Seen before" in panel and "incident=" in page.url
            page.locator("[role='dialog'] button[aria-label='Close']").click()
            page.wait_for_function("() => !location.search.includes('incident=')")
            # The sidebar has no theme filter: the button applies the quarter's dates.
            page.get_by_role("button", name="Apply to the filters").click()
            start = Quarter.parse(quarter).start
            page.wait_for_function(f"() => location.search.includes('since={start}')")

            page.goto(f"{base}/action_items")
            wait_until_rendered(page, "Action items", 2)
            click_at(page, page.evaluate(BAND, [opened, "open"]))
            page.get_by_text(
                f"open action items, opened in {opened}: {with_open} incidents"
            ).wait_for(timeout=RENDER_LIMIT_MS)
            page.screenshot(path=str(ARTIFACTS / "status-band-click.png"), full_page=True)
            rows = ".st-key-drill-status-by-quarter [data-testid='stDataFrame']"
            assert page.locator(rows).get_attribute("aria-rowcount") in (None, str(with_open + 1))
            # Nothing of this click is a sidebar filter: no button, and the panel says why.
            assert page.get_by_role("button", name="Apply to the filters").count() == 0
            assert page.locator(ERRORS).count() == 0
        finally:
            page.close()


def test_hostile_document_text_shows_as_text_in_the_browser(
    browser: BrowserContext, tmp_path: Path, port: int
) -> None:
    """A title, services, categories and action items carrying <script>, <img onerror>,
    Markdown and javascript: links (tests/test_injection.py) run nothing and link nowhere."""
    from test_injection import DOCUMENT, TITLE

    from loaders.config import Config, SourceConfig
    from loaders.sources.git_folder import GitFolderSource
    from loaders.sync import sync

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile.md").write_text(DOCUMENT)
    db = str(tmp_path / "store.duckdb")
    sync(
        db,
        [GitFolderSource.from_config(SourceConfig("docs", "git", {"path": str(folder)}), Config())],
    )
    dialogs: list[str] = []
    with started_server(db, tmp_path, port) as base:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            for path, title in (
                ("", "Overview"),
                ("incidents?incident=docs%3Ahostile.md", "Incidents"),
            ):
                page.goto(f"{base}/{path}")
                wait_until_rendered(page, title, 0)
                if title == "Incidents":
                    page.wait_for_selector(
                        "[role='dialog'] [data-testid='stExpander']", timeout=RENDER_LIMIT_MS
                    )
                    # The title is shown whole, as the text it is.
                    assert TITLE in page.locator("[role='dialog'] h3").first.inner_text()
                page.wait_for_timeout(1000)  # time for an injected script or image to fire
                injected = page.evaluate(
                    """() => ({
                      scripts: [...document.querySelectorAll('script')]
                        .filter(s => /alert|pwned/.test(s.textContent)).length,
                      images: document.querySelectorAll('img[src="x"]').length,
                      bold: [...document.querySelectorAll('b')]
                        .filter(b => b.textContent === 'bold').length,
                      links: [...document.querySelectorAll('a[href]')]
                        .filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length,
                    })"""
                )
                assert injected == {"scripts": 0, "images": 0, "bold": 0, "links": 0}, title
                assert page.title() != "pwned"
        finally:
            page.close()
    assert dialogs == []


# The HTML quarterly pack (queries/report_html.py): opened from disk with nothing fetched,
# each section looked at, printed to PDF as "Print → Save as PDF" would.


def _write_pack(db: str, quarter: Quarter, out: Path) -> Path:
    review = quarterly.review(connect_read_only(db), Filters(), quarter, dim=DEFAULT_DIM,
                              window_days=180, threshold=3)  # fmt: skip
    charts = review_charts.collect(connect_read_only(db), review)
    return report_html.write(review, charts, out, severity_levels=DEFAULT_SEVERITY_LEVELS)


def _open_offline(browser: BrowserContext, path: Path) -> tuple[Page, list[str], list[str]]:
    """The file opened in the browser; every request it made and every script error."""
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(path.as_uri())
    charts = len(page.locator(".plotly-graph-div").all())
    page.wait_for_function("n => document.querySelectorAll('.js-plotly-plot .main-svg').length"
                           " >= n", arg=charts, timeout=RENDER_LIMIT_MS)  # fmt: skip
    return page, requests, errors


def _pdf_pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                       capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]  # fmt: skip


def _first_line(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


def test_the_html_pack_opens_offline_and_prints_one_section_per_page(
    browser: BrowserContext, sample_db: str, tmp_path: Path
) -> None:
    path = _write_pack(sample_db, Quarter(2026, 3), tmp_path)
    page, requests, errors = _open_offline(browser, path)
    try:
        assert requests == [path.as_uri()], "the pack fetched something"
        assert errors == []
        sections = page.locator("section h2").all_inner_texts()
        assert sections == [
            "Quarter against previous quarter", "SEV1–2 incidents",
            "Recurring patterns (by service × category)",
            "Action items opened, closed and overdue by owner",
        ]  # fmt: skip
        # The sample's 2026Q3 has data for every chart: six drawn, none replaced by a sentence.
        assert page.locator(".js-plotly-plot").count() == 6
        assert page.locator("figure .empty").count() == 0
        page.locator("header").screenshot(path=str(ARTIFACTS / "pack-header.png"))
        for key in page.locator("section").evaluate_all("s => s.map(e => e.id)"):
            page.locator(f"section#{key}").screenshot(path=str(ARTIFACTS / f"pack-{key}.png"))
        pdf = ARTIFACTS / "pack-2026Q3.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        captions = {
            page.locator(f"figure#{key} h3").inner_text(): page.locator(f"figure#{key} figcaption").inner_text()
            for key in page.locator("figure").evaluate_all("f => f.map(e => e.id)")
        }  # fmt: skip
    finally:
        page.close()
    pages = _pdf_pages(pdf)
    # Every section starts a page (the first one right under the header, on page 1).
    assert sections[0] in pages[0]
    starts = [0] + [next(n for n, text in enumerate(pages) if _first_line(text) == title)
                    for title in sections[1:]]  # fmt: skip
    assert starts == sorted(set(starts)), starts
    # No chart is cut: each figure's title and its caption (under the chart and its numbers)
    # print on the same page.
    for title, caption in captions.items():
        words = " ".join(caption.split()[:6])
        on = [n for n, text in enumerate(pages) if title in text]
        assert len(on) == 1 and words in " ".join(pages[on[0]].split()), title
    # Eight A4 pages: 1 the header, the comparison and incidents by month; 2 SEV1–2; 3 the
    # sample's six patterns and their incidents; 4 the heatmap (11 services) and its grid;
    # 5 repeat rate; 6 the owners' table and status by quarter; 7 overdue by owner (11
    # owners); 8 time to close. Each figure is kept whole, so it moves to the next page.
    assert [_first_line(p) for p in pages] == [
        "Reliability review 2026Q3", sections[1], sections[2],
        "Incidents by service and category in 2026Q3", "Repeat rate by quarter",
        sections[3], "Overdue by owner on 2026-09-30", "Time to close",
    ]  # fmt: skip


def test_document_text_in_the_html_pack_is_shown_as_written(
    browser: BrowserContext, tmp_path: Path
) -> None:
    db = str(tmp_path / "hostile.duckdb")
    title = "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    records = [
        PostMortem("docs", "git", "a.md", title=title, source_url="javascript:alert(4)",
                   incident_date=date(2026, 5, 1), severity="SEV1", severity_rank=1,
                   kind="incident", content_hash="a",
                   action_items=[ActionItem(1, "fix", owner="<b onclick=alert(5)>eve</b>",
                                            status="open", due_date=date(2026, 5, 2))]),
    ]  # fmt: skip
    with store.writer(db) as c:
        store.insert_postmortems(c, records, datetime(2026, 5, 3))
        DashboardFacts().run(c, changed=True)  # the last step of a sync
    path = _write_pack(db, Quarter(2026, 2), tmp_path)
    page, requests, errors = _open_offline(browser, path)
    try:
        assert errors == [], "a document's text ran as code"
        assert page.locator("#severe li").inner_text() == f"2026-05-01 SEV1: {title}"
        assert page.locator("#severe a, img, [onerror], [onclick]").count() == 0
        # plotly draws the owner's name as SVG text: literally, not as bold markup.
        tick = page.locator("#overdue-by-owner .ytick text").first
        assert tick.text_content() == "<b onclick=alert(5)>eve</b>"
        page.locator("section#action-items").screenshot(path=str(ARTIFACTS / "pack-hostile.png"))
    finally:
        page.close()


def test_the_quarterly_review_page_offers_the_html_pack(
    fresh_server: str, browser: BrowserContext, sample_db: str, tmp_path: Path
) -> None:
    page = browser.new_page()
    try:
        page.goto(fresh_server + "/quarterly_review?quarter=2026Q3")
        wait_until_rendered(page, "Quarterly review", 0)
        # The frame can be drawn before the page's run has shown its status: wait for the pack.
        page.locator("[data-testid='stDownloadButton']").nth(2).wait_for(timeout=RENDER_LIMIT_MS)
        buttons = page.locator("[data-testid='stDownloadButton']").all_inner_texts()
        assert [b.split("\n")[-1] for b in buttons[:3]] == [
            "Report (Markdown)", "Report with charts (HTML)", "CSVs behind it (zip)",
        ]  # fmt: skip
        with page.expect_download(timeout=RENDER_LIMIT_MS) as download:
            page.get_by_text("Report with charts (HTML)").click()
        assert download.value.suggested_filename == "reliability-review-2026Q3.html"
        got = Path(download.value.path()).read_text(encoding="utf-8")
    finally:
        page.close()
    # The same bytes as `pmdash report --quarter 2026Q3` with the dashboard's default filters.
    assert got == _write_pack(sample_db, Quarter(2026, 3), tmp_path).read_text(encoding="utf-8")
