"""Document text is data, never code (SPEC §10): values with quotes, semicolons, SQL keywords,
Markdown, HTML and `javascript:` links reach DuckDB only as parameters and the page only as text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import git_source, query
from streamlit.testing.v1 import AppTest

from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.store import connect_read_only
from loaders.sync import sync
from queries import incidents
from queries.filters import Filters

REPO = Path(__file__).resolve().parents[1]
TITLE = "Robert'); DROP TABLE incidents;-- <script>alert(1)</script> [click](javascript:alert(1))"
SERVICE = "pay'ments\"; drop table action_items; --"
CATEGORY = "<img src=x onerror=alert(1)>"
OWNER = "o'brien; delete from incidents"
FRONT_MATTER = {
    "title": TITLE,
    "date": "2026-03-02",
    "severity": "SEV2",
    "services": [SERVICE],
    "categories": [CATEGORY],
    "action_items": [
        {
            "title": "Rotate the key [now](javascript:alert(2)) <b>bold</b>",
            "owner": OWNER,
            "ticket": "javascript:alert(3)",
        }
    ],
}
DOCUMENT = (
    f"---\n{yaml.safe_dump(FRONT_MATTER)}---\n## Summary\n"
    "<script>document.title = 'pwned'</script> The key expired.\n"
)


@pytest.fixture
def hostile_db(tmp_path: Path, db: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile.md").write_text(DOCUMENT)
    (folder / "plain.md").write_text("# Disk full on db-1\n\n## Summary\nThe disk filled.\n")
    # With the sync's last step, whose tables the dashboard reads.
    result, _facts = sync(str(db), [git_source(folder)], None, [DashboardFacts()])
    assert (result.loaded, result.failed) == (2, 0)
    return db


def test_hostile_values_are_stored_verbatim_and_drop_nothing(hostile_db: Path) -> None:
    [row] = query(hostile_db, "select title from incidents where source_id = 'hostile.md'")
    assert row["title"] == TITLE
    services = query(hostile_db, "select service from incident_services")
    assert [s["service"] for s in services] == [SERVICE]
    # Every table is still there, with both documents' rows.
    assert query(hostile_db, "select count(*) as n from incidents") == [{"n": 2}]
    items = query(hostile_db, "select owner, ticket_url from action_items")
    assert items == [{"owner": OWNER, "ticket_url": None}]  # only http(s) links become links


def test_filters_with_hostile_values_are_parameters(hostile_db: Path) -> None:
    conn = connect_read_only(str(hostile_db))
    try:
        by_service = incidents.table(conn, Filters(services=(SERVICE,)))
        by_category = incidents.table(conn, Filters(categories=(CATEGORY,)))
        # A filter value that would close a string literal matches nothing and breaks nothing.
        none = incidents.table(conn, Filters(services=("x' or '1'='1",)))
    finally:
        conn.close()
    assert list(by_service["title"]) == [TITLE]
    assert list(by_category["title"]) == [TITLE]
    assert none.empty


def test_pages_show_hostile_text_as_text(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMDASH_DB", str(hostile_db))
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    for page in ("overview", "incidents"):
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
            at.query_params["incident"] = "docs:hostile.md"  # its detail, as a shared link opens it
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        markdown = "\n".join(str(m.value) for m in at.markdown)
        # No raw HTML and no javascript: link reaches Streamlit's Markdown renderer.
        assert "<script>" not in markdown and "<img" not in markdown
        # A link needs an unescaped "](": escaped brackets (`\\]`) show as text.
        assert not re.search(r"(?<!\\)\]\(\s*javascript:", markdown)
        if page == "incidents":
            assert "Robert" in markdown  # the detail is shown, its title escaped
        for frame in at.dataframe:
            # Link columns: a `javascript:` ticket *key* may show as text, never as a link.
            links = [c for c in frame.value.columns if "url" in c.lower() or "link" in c.lower()]
            for column in links:
                values = frame.value[column].astype(str)
                assert not values.str.startswith("javascript:").any(), (page, column)
