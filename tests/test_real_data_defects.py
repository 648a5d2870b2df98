"""Defects a new user met with real post-mortems (issue 9, points 1-5): what the dashboard
and the CLI show when documents leave fields out, and when the store is not what it should be.

The stores here are written through the real store writer, with the few incidents each
defect needs; the expected numbers are worked out in comments.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from loaders import store
from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.model import ActionItem, PostMortem

REPO = Path(__file__).resolve().parents[1]


def postmortem(key: str, day: date | None, items: list[ActionItem], **fields: object) -> PostMortem:
    return PostMortem(
        source_name="team",
        source_kind="git",
        source_id=f"{key}.md",
        title=f"Incident {key}",
        incident_date=day,
        action_items=items,
        content_hash=key,
        **fields,  # type: ignore[arg-type]
    )


def write_store(path: Path, postmortems: list[PostMortem]) -> str:
    with store.writer(str(path)) as conn:
        store.insert_postmortems(conn, postmortems, datetime(2026, 11, 27, 9, 0))
        DashboardFacts().run(conn, changed=True)  # the last step of a sync
    return str(path)


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def tile(at: AppTest, label: str) -> tuple[str, str]:
    found = next(m for m in at.metric if m.label == label)
    return found.value, found.proto.help


@pytest.fixture
def late_first_band(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Four incidents whose only done item is in the latest quarter, and no done item with
    both a due date and a close date."""
    d = date
    db = write_store(tmp_path / "store.duckdb", [
        postmortem("old", d(2017, 7, 3), [ActionItem(1, "Rotate the disk", status="unknown")]),
        postmortem("spring", d(2025, 4, 2), [ActionItem(1, "Add an alert", status="open")]),
        postmortem("summer", d(2025, 8, 1), [
            ActionItem(1, "Pin the chart version", status="done",
                       closed_at=datetime(2025, 8, 5, 10, 0)),  # closed, but no due date
        ]),
        postmortem("undated", None, [ActionItem(1, "Write a runbook", status="unknown")]),
    ])  # fmt: skip
    monkeypatch.setenv("PMDASH_DB", db)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    return db


def test_1_every_time_axis_is_chronological_with_no_date_last(late_first_band: str) -> None:
    # Plotly orders a category axis by the first trace that names each label; the first band
    # (done) has only 2025Q3, so without an explicit order the axis read 2025Q3, 2025Q2,
    # 2017Q3, no date.
    at = open_page("action_items")
    by_quarter = chart_specs(at)[0]
    assert by_quarter["layout"]["xaxis"]["categoryarray"] == [
        "2017Q3", "2025Q2", "2025Q3", "no date"
    ]  # fmt: skip

    overview = open_page("overview", period="quarter")
    over_time = chart_specs(overview)[0]
    assert over_time["layout"]["xaxis"]["categoryarray"] == ["2017Q3", "2025Q2", "2025Q3"]


def test_2_a_rate_with_nothing_to_divide_by_shows_a_dash_and_says_why(
    late_first_band: str,
) -> None:
    at = open_page("action_items")
    value, help = tile(at, "On time")
    # The one done item has a close date but no due date: on time has no denominator.
    assert value == "—"
    assert "no done item has both a due date and a close date" in help
    # 1 done / (1 done + 1 open); unknown items are not in the closure rate.
    assert tile(at, "Closure rate")[0] == "50%"
    assert tile(at, "Won't do")[0] == "0%"  # 0 of 4 items

    # A year without incidents: no incidents, no items, so no rate has a denominator.
    empty = open_page("overview", since="2019-01-01", until="2019-12-31")
    for label in ("Repeat rate", "Closure rate"):
        value, help = tile(empty, label)
        assert value == "—", label
        assert help.startswith("—: "), help
    shown = [
        str(v) for frame in (e.value for e in empty.dataframe) for v in frame.to_numpy().ravel()
    ]
    assert not [v for v in shown if v.lower() in ("nan", "nan%", "none", "inf", "inf%")]

    quarter = open_page("quarterly_review", quarter="2025Q3")
    value, help = tile(quarter, "Repeat rate")
    assert value == "0%"  # 1 incident in 2025Q3, not a repeat
    closure, help = tile(quarter, "Closure rate of the quarter's action items")
    assert closure == "100%"  # its one item is done
    before = open_page("quarterly_review", quarter="2025Q1")  # no incident at all
    value, help = tile(before, "Closure rate of the quarter's action items")
    assert value == "—" and "is done, open or in progress" in help


def test_4_empty_charts_say_why_with_numbers_and_the_default_dimension_follows_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three incidents state a category, none a service (as in the real collections).
    d = date
    db = write_store(tmp_path / "store.duckdb", [
        postmortem("a", d(2025, 1, 5), [], categories=[("dns", "DNS")]),
        postmortem("b", d(2025, 2, 5), [], categories=[("dns", "DNS")]),
        postmortem("c", d(2025, 3, 5), [], categories=[("capacity", "capacity")]),
    ])  # fmt: skip
    monkeypatch.setenv("PMDASH_DB", db)
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)

    at = open_page("recurrence")
    # No service anywhere: most incidents name no service, so repeats are found by similar
    # text (SPEC §6), and the page says why.
    assert at.selectbox(key="dim").value == "similar"
    assert "Repeats are found by similar text because 0 of 3 incidents name a service" in " ".join(
        info.value for info in at.info
    )
    # By category, which 3 of 3 incidents name:
    at = open_page("recurrence", dim="category")
    shown = " ".join(info.value for info in at.info)
    assert (
        "The heatmap is empty. 0 of 3 incidents in this selection name both a service and a category."
        in shown
    )
    assert "[services.aliases]" in shown and "[services] catalog" in shown
    # b repeats a (same category 31 days later): the repeat rate by category has a row.
    by_value = next(
        e.value for e in at.dataframe if {"category", "repeats"} <= set(e.value.columns)
    )
    assert by_value.set_index("category").loc["dns", "repeats"] == 1

    chosen = open_page("recurrence", dim="service")
    assert (
        "0 of 3 incidents in this selection name a service, so none of them can repeat"
        in " ".join(info.value for info in chosen.info)
    )
    overview = open_page("overview")
    assert any(
        "No service to show. 0 of 3 incidents in this selection name a service." in i.value
        for i in overview.info
    )
    # The Quarterly review of their quarter finds no pattern by service, and says why with
    # the quarter's own counts (asked for only when it has no pattern to show).
    review = open_page("quarterly_review", quarter="2025Q1", dim="service")
    assert any(
        "No recurring patterns: no service had 3 or more incidents" in i.value
        and "0 of 3 incidents in this selection name a service, so none of them can repeat"
        in i.value
        for i in review.info
    )


# Point 5: stores that are missing, empty, corrupt, locked, of an older schema or of
# something else get one clear message, never a traceback, and no scratch file is left.


def run_cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def broken_stores(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Store files as users met them, each with the title its message must carry."""
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_text("SQLite format 3\x00 not really\n")
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as conn:
        conn.execute("create table sales (amount integer)")
    older = tmp_path / "older.duckdb"
    write_store(older, [postmortem("a", date(2025, 1, 5), [])])
    with duckdb.connect(str(older)) as conn:  # as written before themes and similar incidents
        conn.execute("drop table themes")
        conn.execute("alter table incidents drop column summary")
    return {
        "corrupt": (corrupt, "The store file is not a DuckDB database"),
        "empty": (empty, "The store file is empty"),
        "foreign": (foreign, "The file is not a pmdash store"),
        "older": (older, "The store was written by an older pmdash"),
        "missing": (tmp_path / "typo.duckdb", "no store at"),
    }


def test_5_every_command_that_reads_a_store_says_what_is_wrong_in_one_line(
    tmp_path: Path,
) -> None:
    for name, (path, title) in broken_stores(tmp_path).items():
        for command in (["export", "incidents", "--out", str(tmp_path / "x.csv")],
                        ["report", "--quarter", "2025Q1", "--out", str(tmp_path / "pack")],
                        ["triage", "--out", str(tmp_path / "t.csv")]):  # fmt: skip
            code, out, err = run_cli(*command, "--db", str(path))
            assert code == 1, (name, command, out, err)
            assert err.count("\n") == 1 and "Traceback" not in err, err
            assert (
                title in err
                and str(path) in err
                and "pmdash sync --db" in err
                or (name == "foreign" and title in err)
            ), err
        assert not (tmp_path / "x.csv").exists()  # nothing written from a broken store


def test_5_sync_refuses_a_broken_store_without_leaving_scratch_files(tmp_path: Path) -> None:
    folder = REPO / "tests" / "fixtures" / "markdown"
    stores = broken_stores(tmp_path)
    for name in ("corrupt", "foreign"):
        path, title = stores[name]
        before = path.read_bytes()
        code, _, err = run_cli("sync", "--git", str(folder), "--db", str(path))
        assert code == 1 and err.count("\n") == 1 and title in err, err
        assert path.read_bytes() == before  # the user's file is left exactly as it was
    assert sorted(p.name for p in tmp_path.iterdir() if ".sync-" in p.name) == []

    # A store an older pmdash wrote, and an empty file, are brought up to date / built.
    for name in ("older", "empty"):
        path, _ = stores[name]
        code, out, err = run_cli("sync", "--git", str(folder), "--db", str(path))
        assert code == 0, err
        store.connect_read_only(str(path)).close()  # readable now: no gap left
    with duckdb.connect(str(stores["older"][0]), read_only=True) as conn:
        assert conn.execute("select count(*) from themes").fetchall() == [(0,)]
    assert sorted(p.name for p in tmp_path.iterdir() if ".sync-" in p.name) == []


def test_5_a_locked_store_is_named_as_locked(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "locked.duckdb"
    write_store(path, [postmortem("a", date(2025, 1, 5), [])])
    holder = subprocess.Popen(  # another program holding the store open for writing
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(path)!r}); "
         "print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        code, _, err = run_cli("export", "incidents", "--out", str(tmp_path / "x.csv"),
                               "--db", str(path))  # fmt: skip
        assert code == 1 and "The store is locked by another program" in err, err
        code, _, err = run_cli("sync", "--git", str(REPO / "tests" / "fixtures" / "markdown"),
                               "--db", str(path))  # fmt: skip
        assert code == 1 and "The store is locked by another program" in err, err
        assert [p.name for p in tmp_path.iterdir() if ".sync-" in p.name] == []
    finally:
        holder.communicate("")


def test_5_the_dashboard_shows_one_clear_page_for_a_broken_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    for name, (path, title) in broken_stores(tmp_path).items():
        if name == "missing":
            continue  # reads as an empty store, with the command that fills it (test_pages)
        monkeypatch.setenv("PMDASH_DB", str(path))
        for page in ("overview", "recurrence", "data_sources"):
            at = open_page(page)
            assert [t.value for t in at.title] == [title], (name, page)
            assert str(path) in at.error[0].value
            assert "pmdash sync --db" in at.markdown[-1].value or name == "foreign"


def test_5_no_traceback_reaches_the_browser() -> None:
    import tomllib

    settings = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert settings["client"]["showErrorDetails"] == "none"


def test_3_a_sync_never_puts_the_sample_into_a_store_of_other_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    monkeypatch.delenv("PMDASH_DB", raising=False)
    monkeypatch.chdir(tmp_path)  # no pmdash.toml here: the bundled sample is the config
    folder = tmp_path / "team-postmortems"
    folder.mkdir()
    (folder / "2025-01-05-dns.md").write_text("# DNS outage\n\n## Summary\n\nDNS failed.\n")
    db = tmp_path / "other.duckdb"
    code, _, err = run_cli("sync", "--git", str(folder), "--db", str(db))
    assert code == 0, err

    # Without a config, `pmdash sync --db OTHER` says it would sync the sample, and refuses.
    before = db.read_bytes()
    code, _, err = run_cli("sync", "--db", str(db))
    assert code == 2
    assert "no config given: syncing the bundled sample corpus into" in err
    assert f"refused: {db} holds team-postmortems, and syncing would add sample" in err
    assert db.read_bytes() == before

    # The page shows the sources that built this store, and offers no Sync now.
    monkeypatch.setenv("PMDASH_DB", str(db))
    at = open_page("data_sources")
    held = next(e.value for e in at.dataframe if "incidents" in e.value.columns)
    assert held["source"].tolist() == ["team-postmortems"] and held["incidents"].tolist() == [1]
    assert not [b for b in at.button if b.label == "Sync now"]
    assert "Sync now is off for this store" in at.warning[0].value

    # A config that names this store and the sample may put them together.
    config = tmp_path / "pmdash.toml"
    config.write_text(f'[store]\npath = "{db}"\n\n[[sources]]\nname = "sample"\nkind = "git"\n'
                      f'path = "{REPO / "data" / "sample"}"\n')  # fmt: skip
    monkeypatch.setenv("PMDASH_CONFIG", str(config))
    at = open_page("data_sources")
    assert [b.label for b in at.button if b.label == "Sync now"] == ["Sync now"]
