"""The demo corpus (loaders/demo.py): deterministic, committed as generated, and as varied as
the issue asks: volume, spread, severities, action-item statuses, both document styles, a
recurring pattern with a déjà vu, and broken files that show up in `load_errors`."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from loaders import demo
from loaders.config import Config, SourceConfig
from loaders.sources.git_folder import GitFolderSource
from loaders.sync import sync

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
AS_OF = date(2026, 11, 27)  # "today" for overdue items
WINDOW = timedelta(days=180)  # [recurrence] window_days default


@pytest.fixture(scope="module")
def corpus() -> list[demo.Incident]:
    return demo.build_corpus()


def _items(corpus: list[demo.Incident]) -> list[demo.Item]:
    return [item for inc in corpus for item in inc.items]


def _pairs(inc: demo.Incident) -> set[tuple[str, str]]:
    return {(s, c) for s in inc.services for c in inc.categories}


def test_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    first, second = demo.generate(tmp_path / "a"), demo.generate(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert demo.render_corpus(seed=8) != demo.render_corpus(seed=7)  # the seed matters


def test_committed_sample_is_what_generate_writes() -> None:
    on_disk = {p.name: p.read_bytes() for p in SAMPLE.glob("*.md")}
    assert on_disk == demo.render_corpus(), "run `pmdash demo` and commit data/sample"


def test_generate_removes_only_files_it_would_write(tmp_path: Path) -> None:
    (tmp_path / "2020-01-01-from-an-older-seed.md").write_text("old")
    (tmp_path / "notes.md").write_text("kept by hand")
    written = demo.generate(tmp_path)
    assert not (tmp_path / "2020-01-01-from-an-older-seed.md").exists()
    assert (tmp_path / "notes.md").read_text() == "kept by hand"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(p.name for p in written), "notes.md"]
    )


def test_volume_and_spread(corpus: list[demo.Incident]) -> None:
    assert len(corpus) == 170  # 163 random + 7 planted; the issue asks for at least 150
    months = {inc.incident_date.replace(day=1) for inc in corpus}
    assert len(months) == 26  # every month from 2024-09 to 2026-10 has one; at least 24 asked
    assert max(months) == date(2026, 10, 1)  # the window ends 2026-10-31: 2026Q4 is partial
    q3 = [inc for inc in corpus if date(2026, 7, 1) <= inc.incident_date <= date(2026, 9, 30)]
    assert len(q3) == 19  # the latest complete quarter is well populated
    assert len({s for inc in corpus for s in inc.services}) == 13  # at least 12 asked
    assert len({c for inc in corpus for c in inc.categories}) == 9  # at least 8 asked


def test_severities_in_realistic_proportions(corpus: list[demo.Incident]) -> None:
    counts = Counter(inc.severity for inc in corpus)
    # Few SEV1, most SEV3/SEV4; None = free-form documents that state none, and game days.
    assert counts == {"SEV1": 9, "SEV2": 28, "SEV3": 57, "SEV4": 68, None: 8}


def test_action_items_cover_every_status_and_every_gap(corpus: list[demo.Incident]) -> None:
    items = _items(corpus)
    assert Counter(i.status for i in items) == {
        "done": 295, "open": 93, "in_progress": 49, "unknown": 49, "wont_do": 30,
    }  # fmt: skip  # unknown = plain bullets, and items left unmarked beside marked ones
    overdue = [i for i in items if i.status in ("open", "in_progress") and i.due and i.due < AS_OF]
    assert len(overdue) == 88  # teams that do not track items to completion: the point of pmdash
    assert sum(i.owner is None for i in items) == 121
    assert sum(i.due is None for i in items) == 200
    assert sum(i.ticket is None for i in items) == 259
    assert sum(i.title in demo.VAGUE_ACTIONS for i in items) == 41  # "Improve monitoring"…
    assert all(i.closed for i in items if i.status == "done" and i.closed) and all(
        i.closed <= demo.WRITTEN_UNTIL for i in items if i.closed
    )


def test_both_document_styles_kinds_and_file_names(corpus: list[demo.Incident]) -> None:
    styles = Counter(inc.style for inc in corpus)
    assert styles["front_matter"] == 112  # so 58 free-form: roughly a third (34%)
    assert set(styles) == {"front_matter", *demo.FREEFORM_STYLES}  # every way of writing items
    assert Counter(inc.kind for inc in corpus if inc.kind != "incident") == {
        None: 70,  # free-form documents and older front matter state no kind
        "near_miss": 5,
        "drill": 2,
    }
    assert sum(inc.status == "draft" for inc in corpus) == 10
    assert sum(not inc.filename.startswith("20") for inc in corpus) == 22  # numbered, no date


def test_planted_recurring_pattern(corpus: list[demo.Incident]) -> None:
    days = [inc.incident_date for inc in corpus if ("checkout", "deployment") in _pairs(inc)]
    # Four checkout deployment incidents within 170 days: a recurring pattern (>= 3 in 180).
    assert days == [date(2026, 3, 10), date(2026, 5, 12), date(2026, 7, 21), date(2026, 8, 27)]
    assert days[-1] - days[0] <= WINDOW
    days = [inc.incident_date for inc in corpus if ("payments", "third-party") in _pairs(inc)]
    assert days == [date(2025, 1, 14), date(2025, 3, 3), date(2025, 5, 20)]  # 126 days


def test_planted_deja_vu(corpus: list[demo.Incident]) -> None:
    """A repeat while an item of the earlier matching incident was not done (SPEC §6)."""

    def not_done_at(item: demo.Item, day: date) -> bool:
        return item.status in ("open", "in_progress") or bool(item.closed and item.closed > day)

    deja_vu = {
        (earlier.incident_date, later.incident_date)
        for later in corpus
        for earlier in corpus
        if earlier.times[0] < later.times[0] <= earlier.times[0] + WINDOW
        and {("checkout", "deployment"), ("payments", "third-party")}
        & _pairs(earlier)
        & _pairs(later)
        and any(not_done_at(item, later.incident_date) for item in earlier.items)
    }
    # 2026-03-10's canary rollback is still in progress at every later checkout deploy failure;
    # 2026-05-12's deploy block closed on 2026-08-03, after the 2026-07-21 repeat; the card
    # processor circuit breaker of 2025-01-14 is still open.
    assert {
        (date(2026, 3, 10), date(2026, 5, 12)),
        (date(2026, 3, 10), date(2026, 7, 21)),
        (date(2026, 3, 10), date(2026, 8, 27)),
        (date(2026, 5, 12), date(2026, 7, 21)),
        (date(2025, 1, 14), date(2025, 3, 3)),
        (date(2025, 1, 14), date(2025, 5, 20)),
    } <= deja_vu


def test_sample_loads_as_generated(tmp_path: Path, corpus: list[demo.Incident]) -> None:
    """Synced through the real Git-folder loader, the store says what each document states."""
    source = GitFolderSource.from_config(
        SourceConfig("sample", "git", {"path": str(SAMPLE)}), Config()
    )
    [result] = sync(str(tmp_path / "s.duckdb"), [source])
    # 170 post-mortems + 5 broken files + the README; two broken ones load with a warning.
    assert (result.seen, result.loaded, result.skipped, result.failed) == (176, 172, 1, 3)
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as conn:
        errors = conn.execute("select document, severity from load_errors order by 1").fetchall()
        incidents = {
            row[0]: row[1:]
            for row in conn.execute(
                "select source_id, incident_date, severity, status, kind from incidents"
            ).fetchall()
        }
        items = conn.execute(
            "select split_part(incident_id, ':', 2), title, status, owner, due_date, closed_at, ticket "
            "from action_items order by incident_id, position"
        ).fetchall()
        services = Counter(
            r[0] for r in conn.execute("select service from incident_services").fetchall()
        )
    assert errors == [
        ("README.md", "warning"),  # an index, skipped
        ("broken-empty.md", "error"),
        ("broken-impossible-date.md", "warning"),  # loads without an incident date
        ("broken-invalid-yaml.md", "error"),
        ("broken-not-utf8.md", "error"),
        ("broken-unknown-severity.md", "warning"),  # loads without a severity
    ]
    assert incidents["broken-impossible-date.md"][0] is None
    for inc in corpus:
        assert incidents[inc.filename] == (inc.incident_date, inc.severity, inc.status, inc.kind)
    expected = [
        (inc.filename, i.title, i.status, i.owner, i.due, i.closed, i.ticket is not None)
        for inc in corpus
        for i in inc.items
    ]
    stored = [
        (
            doc,
            title,
            status,
            owner,
            due,
            closed and closed.date(),
            ticket is not None,
        )
        for doc, title, status, owner, due, closed, ticket in items
        if not doc.startswith("broken-")
    ]
    assert stored == sorted(expected, key=lambda row: row[0])  # by file, then position
    # Every service as generated, plus `search` of the two broken documents that still load.
    assert services == Counter(s for inc in corpus for s in inc.services) + Counter(search=2)
