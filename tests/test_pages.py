"""Every page rendered by Streamlit's AppTest on the bundled sample corpus (data/sample).

Each test starts the app the way a shared link does: the page and its query parameters are
set before the first run, which on a fresh app goes through Streamlit's legacy multipage
mode and the hand-over to dashboard.py (pages/ui/navigation.py). Expected numbers come from
plain SQL on the same store, written out here, not from the dashboard's own queries.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import hand_store
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loaders import store as store_module
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import SECTIONS

REPO = Path(__file__).resolve().parents[1]
INCIDENT = "coalesce(kind, 'incident') = 'incident'"  # the default kind filter


@pytest.fixture(autouse=True)
def store(sample_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PMDASH_DB", sample_db)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    return sample_db


def scalar(db: str, sql: str, params: list[Any] | None = None) -> Any:
    with duckdb.connect(db, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()[0][0]


def open_page(page: str, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has all these columns."""
    for element in at.dataframe:
        frame = element.value
        if all(c in frame.columns for c in columns):
            return frame
    raise AssertionError(f"no table with columns {columns}")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def downloads(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_overview(store: str) -> None:
    at = open_page("overview")
    assert [t.value for t in at.title] == ["Overview"]
    # Incidents over time, top categories, top services, durations.
    assert charts(at) == 4
    incidents = scalar(store, f"select count(*) from incidents where {INCIDENT}")
    assert metric(at, "Incidents") == f"{incidents:,}"
    assert {"CSV: incidents-by-severity.csv", "CSV: durations.csv", "CSV: kpis.csv"} <= set(
        downloads(at)
    )
    assert len(frame_with(at, "incident_id", "title", "url")) == 10  # the latest ten

    sev1 = scalar(store, f"select count(*) from incidents where severity = 'SEV1' and {INCIDENT}")
    filtered = open_page("overview", severity="SEV1")
    assert metric(filtered, "Incidents") == f"{sev1:,}"
    assert metric(filtered, "SEV1–2 incidents") == f"{sev1:,}"
    assert set(frame_with(filtered, "period", "severity")["severity"]) == {"SEV1"}


def test_overview_by_quarter_from_the_url(store: str) -> None:
    at = open_page("overview", period="quarter")
    counts = frame_with(at, "period", "severity", "incidents")
    assert counts["period"].str.fullmatch(r"\d{4}Q[1-4]").all()
    dated = scalar(store, f"select count(incident_date) from incidents where {INCIDENT}")
    assert counts["incidents"].sum() == dated  # undated post-mortems are not on the axis

    by_service = open_page("overview", period="quarter", split="service")
    counts = frame_with(by_service, "period", "service", "incidents")
    pairs = scalar(
        store,
        "select count(*) from incidents i join incident_services s using (incident_id) "
        f"where i.incident_date is not null and {INCIDENT}",
    )
    assert counts["incidents"].sum() == pairs  # an incident counts once per service


def test_recurrence(store: str) -> None:
    at = open_page("recurrence")
    assert [t.value for t in at.title] == ["Recurrence"]
    assert charts(at) == 2  # heatmap, repeat rate by quarter
    patterns = frame_with(at, "service_category", "incidents", "most_in_one_window")
    assert len(patterns) > 0
    assert (patterns["incidents"] >= 3).all()  # the default threshold
    deja_vu = frame_with(at, "earlier_incident_id", "items_not_done")
    assert (deja_vu["items_not_done"] >= 1).all()

    by_service = open_page("recurrence", dim="service", service="checkout")
    patterns = frame_with(by_service, "service", "incidents", "most_in_one_window")
    assert patterns["service"].tolist() == ["checkout"]
    checkout = scalar(
        store,
        f"select count(*) from incidents i join incident_services s using (incident_id) "
        f"where s.service = 'checkout' and {INCIDENT}",
    )
    matrix = frame_with(by_service, "service", "category", "incidents")
    assert set(matrix["service"]) == {"checkout"}
    assert matrix["incidents"].sum() >= checkout  # each category of an incident counts


def test_action_items(store: str) -> None:
    at = open_page("action_items", as_of="2026-06-30")
    assert [t.value for t in at.title] == ["Action items"]
    assert charts(at) == 2  # status by quarter, ageing
    overdue = scalar(
        store,
        "select count(*) from action_items a join incidents i using (incident_id) "
        f"where {INCIDENT} and a.due_date < date '2026-06-30' and (a.status in ('open', "
        "'in_progress') or (a.status = 'done' and cast(a.closed_at as date) > date '2026-06-30'))"
        " and cast(coalesce(a.created_at, i.incident_date) as date) <= date '2026-06-30'",
    )
    assert metric(at, "Overdue") == f"{overdue:,}"
    assert len(frame_with(at, "days_overdue", "owner", "ticket")) == overdue
    statuses = frame_with(at, "quarter", "status", "items")
    assert "unknown" in set(statuses["status"])  # unknown is its own band
    done, open_, in_progress = (
        scalar(store, "select count(*) from action_items a join incidents i using (incident_id) "
               f"where {INCIDENT} and a.status = ?", [s])
        for s in ("done", "open", "in_progress")
    )  # fmt: skip
    assert metric(at, "Closure rate") == f"{done / (done + open_ + in_progress):.0%}"
    vague = frame_with(at, "reason", "action_item_id")
    assert set(vague["status"]) <= {"open", "in_progress", "unknown"}

    earlier = open_page("action_items", as_of="2025-01-31")
    assert metric(earlier, "Overdue") != metric(at, "Overdue")


def test_quarterly_review(store: str) -> None:
    at = open_page("quarterly_review", quarter="2026Q3")
    assert [t.value for t in at.title] == ["Quarterly review"]
    q3 = scalar(
        store,
        f"select count(*) from incidents where {INCIDENT} "
        "and incident_date between date '2026-07-01' and date '2026-09-30'",
    )
    assert metric(at, "Incidents") == str(q3)
    comparison = frame_with(at, "metric", "quarter", "previous_quarter")
    assert comparison.set_index("metric").loc["Incidents", "quarter"] == str(
        q3
    )  # shown as the tile writes it ("—" when missing)
    severe = frame_with(at, "incident_id", "severity", "url")
    assert set(severe["severity"]) <= {"SEV1", "SEV2"} and len(severe) > 0
    assert {"Report (Markdown)", "Report with charts (HTML)", "CSVs behind it (zip)"} <= set(
        downloads(at)
    )

    sev1_only = open_page("quarterly_review", quarter="2026Q3", severity="SEV1")
    sev1 = scalar(
        store,
        f"select count(*) from incidents where {INCIDENT} and severity = 'SEV1' "
        "and incident_date between date '2026-07-01' and date '2026-09-30'",
    )
    assert metric(sev1_only, "Incidents") == str(sev1) != str(q3)


def test_quarterly_review_says_when_a_quarter_had_no_incidents(
    hand_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hand-built store (tests/hand_store.py) has incidents in Q1, Q2 and Q4 of 2026.
    monkeypatch.setenv("PMDASH_DB", hand_db)
    at = open_page("quarterly_review", quarter="2026Q3")
    notes = [i.value for i in at.info]
    assert "No incidents this quarter." in notes
    assert "No SEV1–2 incidents this quarter." in notes
    assert metric(at, "Incidents") == "0"
    # Overdue at the end of Q3 (09-30): A2 (due 03-01) and D1 (due 04-01).
    owners = frame_with(at, "owner", "opened", "closed", "overdue")
    assert owners[["owner", "overdue"]].values.tolist() == [["bob", 1], ["dave", 1]]


def table_of(at: AppTest, name: str) -> Any:
    """The table whose rows open incidents, by its CSV name (its key starts `rows-NAME-`)."""
    return next(d for d in at.dataframe if (d.key or "").startswith(f"rows-{name}-"))


def click_row(at: AppTest, name: str, row: int) -> AppTest:
    """What a click on a table row sends: the row's position as the table's selection."""
    key = table_of(at, name).key
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def panel_title(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def test_incidents_table_reads_like_a_report(store: str) -> None:
    at = open_page("incidents", service="payments")
    table = frame_with(at, "incident_id", "title", "severity", "services", "action_items")
    payments = scalar(
        store,
        f"select count(*) from incidents i join incident_services s using (incident_id) "
        f"where s.service = 'payments' and {INCIDENT}",
    )
    assert len(table) == payments
    assert table["services"].str.contains("payments").all()
    proto = table_of(at, "incidents").proto
    shown = list(proto.column_order)
    # Title first; ids hidden (the CSV, made from the same frame, keeps them: the frame still
    # has the column); the sample's source has no url_template, so no row has a link and
    # there is no link column at all (tests/test_labels.py puts a link beside its title).
    assert shown[0] == "title" and "incident_id" not in shown and "url" not in shown
    assert table["url"].isna().all()
    config = json.loads(proto.columns)
    assert config["time_to_recover_minutes"]["label"] == "Time to recover"
    assert config["incident_date"]["label"] == "Date"
    assert config["severity"]["type_config"]["type"] == "multiselect"  # a coloured label
    # Durations travel as durations, so they sort as time and read as "1 hr, 5 min".
    assert str(table["time_to_recover_minutes"].dtype).startswith("timedelta")
    # No selectbox of ids any more: a click on a row opens the incident.
    assert not [s for s in at.selectbox if s.key == "incident"]


# Every page, and the selections that bring other columns: a team split, repeats by similar
# text, a quarter with patterns, one incident's panel (its fields, items, similar ones).
EVERY_TABLE = [
    ("overview", {"split": "team"}), ("recurrence", {}), ("recurrence", {"dim": "similar"}),
    ("action_items", {"as_of": "2026-06-30"}), ("quarterly_review", {"quarter": "2026Q2"}),
    ("incidents", {"incident": "sample:2026-08-17-502s-on-payments-after-a-release.md"}),
    ("data_sources", {}), ("triage", {}),
]  # fmt: skip
WANTED = {"date": "date", "datetime": "datetime", "percent": "number", "count": "number",
          "number": "number", "minutes": "number"}  # fmt: skip


@pytest.mark.parametrize(("page", "params"), EVERY_TABLE, ids=[p for p, _ in EVERY_TABLE])
def test_every_table_takes_its_labels_and_formats_from_one_place(
    enriched_db: str, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str]
) -> None:
    from pages.ui import labels

    monkeypatch.setenv("PMDASH_DB", enriched_db)
    at = open_page(page, **params)
    assert at.dataframe, f"{page} shows no table"
    for table in at.dataframe:
        frame, config = table.value, json.loads(table.proto.columns)
        shown = list(table.proto.column_order) or list(frame.columns)
        for name in shown:
            # A column labels.py does not know would show its database name or a raw number
            # (a similar group's latest date showed as 1793059200000, a share as 0.9575…).
            assert name in labels.COLUMNS, f"{page}: column {name!r} has no label in labels.py"
            assert config[name]["label"] == labels.label(name), (page, name)
            kind = labels.kind(name)
            if kind in WANTED and (pd.api.types.is_numeric_dtype(frame[name]) or kind in (
                    "date", "datetime", "minutes")):  # fmt: skip
                assert config[name]["type_config"]["type"] == WANTED[kind], (page, name)
            if kind == "percent" and pd.api.types.is_numeric_dtype(frame[name]):
                # Whole percentages, as the tiles write them ("78%", not "77.78%").
                values = frame[name].dropna()
                assert (values == values.round(2)).all(), (page, name, values.head().tolist())
                assert config[name]["type_config"]["format"] == "percent"


CHART_PAGES = [("overview", {}), ("recurrence", {}), ("action_items", {}), ("data_sources", {})]


@pytest.mark.parametrize(("page", "params"), CHART_PAGES, ids=[p for p, _ in CHART_PAGES])
def test_every_chart_names_its_table_tab_as_its_text_alternative(
    enriched_db: str, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str]
) -> None:
    from pages.ui.widgets import TABLE_NOTE

    monkeypatch.setenv("PMDASH_DB", enriched_db)
    at = open_page(page, **params)
    figures = at.get("plotly_chart")
    assert figures, f"{page} draws no chart"
    # A screen reader reads the chart's alt text; everyone reads the caption under it. Both
    # say where the same numbers are as text.
    for figure in figures:
        assert figure.proto.alt.endswith(TABLE_NOTE) and len(figure.proto.alt) > len(TABLE_NOTE)
    captions = [c.value for c in at.caption if c.value.endswith(TABLE_NOTE)]
    assert len(captions) == len(figures), captions
    # Each clickable chart names its own marks: the heatmap's cells, the other charts' bars.
    clicks = [c for c in captions if "to list its incidents" in c]
    assert bool(clicks) == (page != "data_sources"), captions  # its charts are not clicked
    assert not [c for c in clicks if "a bar or a cell" in c], clicks
    cells = [c for c in clicks if "Click a cell" in c]
    assert len(cells) == (page == "recurrence"), cells


def test_a_click_on_a_row_opens_the_incident_and_names_it_in_the_url(store: str) -> None:
    at = open_page("incidents", severity="SEV1")
    table = frame_with(at, "incident_id", "title", "severity")
    incident_id, title = table["incident_id"].iloc[1], table["title"].iloc[1]
    click_row(at, "incidents", 1)
    assert at.query_params["incident"] == incident_id
    assert panel_title(at) == f"### {title}"
    items = scalar(store, "select count(*) from action_items where incident_id = ?", [incident_id])
    assert len(frame_with(at, "position", "status_basis", "ticket_url")) == items
    fields = frame_with(at, "field", "value", "found_in")
    assert fields.set_index("field").loc["severity", "value"] == "SEV1"

    # A related incident opens in turn, and the panel leads back to the first one.
    related = frame_with(at, "incident_id", "shared", "days_after")
    next_id, next_title = related["incident_id"].iloc[0], related["title"].iloc[0]
    click_row(at, "related-incidents", 0)
    assert at.query_params["incident"] == next_id
    assert panel_title(at) == f"### {next_title}"
    at.button[0].click().run()  # "Back to the incident before"
    assert at.query_params["incident"] == incident_id
    assert panel_title(at) == f"### {title}"


def test_a_copied_incident_url_opens_the_incident_on_any_page(store: str) -> None:
    incident_id, title = (
        duckdb.connect(store, read_only=True)
        .execute(
            "select incident_id, title from incidents where severity = 'SEV1' "
            "order by incident_date desc limit 1"
        )
        .fetchall()[0]
    )
    for page in ("incidents", "recurrence"):
        at = open_page(page, incident=incident_id)
        assert panel_title(at) == f"### {title}"
    # Its sections: each of the six ticked when the document has it, crossed when not (an
    # incident that lacks some, so that both marks are shown).
    with duckdb.connect(store, read_only=True) as conn:
        incident_id, present = conn.execute(
            "select incident_id, sections from incidents where len(sections) between 1 and 4 "
            "order by len(sections), incident_id limit 1"
        ).fetchall()[0]
    at = open_page("incidents", incident=incident_id)
    line = next(m.value for m in at.markdown if ":material/close:" in m.value)
    for section in SECTIONS:
        mark = "check" if section in present else "close"
        assert f":material/{mark}: {section.replace('_', ' ')}" in line, (section, line)
    gone = open_page("overview", incident="sample:no-such-file.md")
    assert "no longer in the store" in gone.warning[0].value


def test_rows_of_other_pages_open_their_incident(store: str) -> None:
    at = open_page("action_items", as_of="2026-06-30")
    overdue = frame_with(at, "days_overdue", "incident_id")
    click_row(at, "overdue", 0)
    assert at.query_params["incident"] == overdue["incident_id"].iloc[0]
    assert panel_title(at) == f"### {overdue['incident_title'].iloc[0]}"

    at = open_page("recurrence")
    deja_vu = frame_with(at, "earlier_incident_id", "items_not_done")
    click_row(at, "deja-vu", 2)
    assert at.query_params["incident"] == deja_vu["incident_id"].iloc[2]


# Every list of incidents the issue of browsing names (Incidents is above): the table's CSV
# name, the page and its URL, and the row to click (not the first, so the click must pick
# its row and not just any).
INCIDENT_LISTS = [
    ("overview", {}, "latest-postmortems", 1),
    ("recurrence", {}, "recurring-pattern-incidents", 1),
    ("recurrence", {}, "deja-vu", 2),
    ("recurrence", {}, "similar-incidents", 1),
    ("recurrence", {}, "theme-incidents", 1),
    ("recurrence", {}, "fix-held", 1),
    ("quarterly_review", {"quarter": "2026Q2"}, "sev1_2_incidents", 1),
    ("quarterly_review", {"quarter": "2026Q2"}, "recurring_pattern_incidents", 1),
    ("action_items", {"as_of": "2026-06-30"}, "overdue", 1),
]


@pytest.mark.parametrize(("page", "params", "name", "row"), INCIDENT_LISTS,
                         ids=[f"{p}-{n}" for p, _, n, _ in INCIDENT_LISTS])  # fmt: skip
def test_every_list_of_incidents_opens_the_clicked_one(
    enriched_db: str,
    monkeypatch: pytest.MonkeyPatch,
    page: str,
    params: dict[str, str],
    name: str,
    row: int,
) -> None:
    monkeypatch.setenv("PMDASH_DB", enriched_db)
    store = enriched_db
    at = open_page(page, **params)
    ids = table_of(at, name).value["incident_id"]
    assert len(ids) > row, f"the sample gives {name} only {len(ids)} rows"
    click_row(at, name, row)
    assert at.query_params["incident"] == ids.iloc[row]
    title = scalar(store, "select title from incidents where incident_id = ?", [ids.iloc[row]])
    assert panel_title(at) == f"### {title}"


def test_an_incident_seen_before_opens_in_turn(
    enriched_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", enriched_db)
    store = enriched_db
    # The sample incident with the most similar ones: its "Seen before" list has rows.
    incident_id, title = scalar(
        store,
        "select [incident_id, any_value(i.title)] from similar_incidents s "
        "join incidents i using (incident_id) group by incident_id "
        "order by count(*) desc, incident_id limit 1",
    )
    at = open_page("incidents", incident=incident_id)
    assert panel_title(at) == f"### {title}"
    seen = table_of(at, "seen-before").value
    # Most similar first (seen_before.sql): the store's best match for this incident.
    best = scalar(
        store,
        "select similar_incident_id from similar_incidents where incident_id = ? "
        "order by similarity desc, similar_incident_id limit 1",
        [incident_id],
    )
    assert seen["incident_id"].iloc[0] == best
    click_row(at, "seen-before", 0)
    assert at.query_params["incident"] == best
    best_title = scalar(store, "select title from incidents where incident_id = ?", [best])
    assert panel_title(at) == f"### {best_title}"
    at.button(key="incident-back").click().run()
    assert at.query_params["incident"] == incident_id
    assert panel_title(at) == f"### {title}"


def test_data_and_sources(store: str) -> None:
    at = open_page("data_sources")
    assert [t.value for t in at.title] == ["Data & sources"]
    assert charts(at) == 1  # completeness by section
    status = frame_with(at, "source", "status", "documents_seen")
    seen = scalar(store, "select documents_seen from sync_runs where source_name = 'sample'")
    assert status.set_index("source").loc["sample", "documents_seen"] == seen
    errors = frame_with(at, "document", "severity", "message")
    assert len(errors) == scalar(store, "select count(*) from load_errors")
    coverage = frame_with(at, "with_date", "with_severity", "with_service", "with_category")
    assert coverage["incidents"].sum() == scalar(
        store, f"select count(*) from incidents where {INCIDENT}"
    )


def test_the_sync_button_loads_the_configured_sources(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "store.duckdb"
    shutil.copy(store, copy)
    monkeypatch.setenv("PMDASH_DB", str(copy))
    at = open_page("data_sources")
    at.button(key="sync").click().run()
    assert not at.exception
    assert [s.proto.label for s in at.status] == ["Sync done"]
    # With no config the bundled sample corpus is the source; nothing changed since the
    # fixture synced it, so the second run reads every document as unchanged.
    runs = scalar(str(copy), "select count(*) from sync_runs where source_name = 'sample'")
    assert runs == 2
    unchanged = scalar(
        str(copy),
        "select documents_unchanged from sync_runs where source_name = 'sample' "
        "order by started_at desc limit 1",
    )
    assert unchanged == scalar(str(copy), "select count(*) from incidents")


def test_every_page_works_before_the_first_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", str(tmp_path / "not-synced-yet.duckdb"))
    for page in ("overview", "recurrence", "action_items", "quarterly_review", "incidents",
                 "data_sources"):  # fmt: skip
        at = open_page(page)
        assert "holds no post-mortems yet" in at.info[0].value


def test_the_dashboard_reads_a_new_store_file_after_a_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = hand_store.build(tmp_path / "store.duckdb")
    monkeypatch.setenv("PMDASH_DB", db)
    at = open_page("incidents")
    assert len(frame_with(at, "incident_id", "title")) == 9
    # A sync writes a copy of the store and swaps it in (os.replace): a new file.
    extra = hand_store.postmortems()[0]
    extra.source_id, extra.title = "K.md", "Incident K"
    with store_module.writer(db) as conn:
        store_module.insert_postmortems(conn, [extra], hand_store.LOADED_AT)
        DashboardFacts().run(conn, changed=True)  # the last step of a sync
    at.run()
    assert not at.exception
    assert len(frame_with(at, "incident_id", "title")) == 10


def test_an_incident_that_names_no_service_opens(
    hand_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Most real post-mortems name no service: its list arrives as a missing value.
    monkeypatch.setenv("PMDASH_DB", hand_db)
    incident_id, title = scalar(
        hand_db,
        "select [incident_id, title] from incidents where incident_id not in "
        "(select incident_id from incident_services) order by incident_id limit 1",
    )
    at = open_page("incidents", incident=incident_id)
    assert panel_title(at) == f"### {title}"
    assert any("no service" in c.value for c in at.caption)


def test_the_real_corpus_shows_no_empty_rows_or_database_names(
    corpus_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMDASH_DB", corpus_db)
    # No done item of the two real collections states when it was closed (as a store says):
    # the time-to-close table showed one row of 'all items, n 0, —, —'; now the sentence.
    assert scalar(corpus_db, "select count(closed_at) from action_items where status = 'done'") == 0
    at = open_page("action_items")
    assert "No done item states when it was closed." in [i.value for i in at.info]
    assert not [t for t in at.dataframe if "median_days" in t.value.columns]
    # The completeness chart names the sections in words, as the incident panel does.
    at = open_page("data_sources")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert set(spec["data"][0]["y"]) == {s.replace("_", " ") for s in SECTIONS}


def test_a_store_that_ends_before_the_quarter_says_where_its_incidents_are(
    corpus_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real corpus ends in 2025Q3; read in 2026Q4 its Quarterly review opened on an empty
    # latest complete quarter with nothing to say where its incidents are.
    monkeypatch.setenv("PMDASH_DB", corpus_db)
    last = scalar(corpus_db, "select max(incident_date) from incidents")
    newest = f"{last.year}Q{(last.month - 1) // 3 + 1}"
    at = open_page("quarterly_review", quarter="2026Q3")
    assert last < date(2026, 7, 1) and newest == "2025Q3"
    notes = [i.value for i in at.info]
    assert (
        f"No incidents this quarter. The newest post-mortem is of {newest}: choose it under Quarter."
        in notes
    )
    at = open_page("quarterly_review", quarter=newest)
    assert metric(at, "Incidents") == str(
        scalar(
            corpus_db,
            f"select count(*) from incidents where {INCIDENT} and "
            "incident_date between '2025-07-01' and '2025-09-30'",
        )  # fmt: skip
    )
