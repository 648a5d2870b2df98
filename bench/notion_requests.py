"""P6: the Notion requests of an incremental sync with nothing changed.

Runs the real Notion source through the real notion-client against the fake Notion server of
the tests (tests/fakes/notion_server.py, imported by path) with both of its workspaces: the
post-mortems database with its related action-items database, and a second team's reviews
database. Two syncs; the requests of the second are counted per data source.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from loaders.config import Config, SourceConfig
from loaders.sources.notion.source import NotionSource
from loaders.sync import sync

TESTS = Path(__file__).resolve().parents[1] / "tests"
TOKEN = "ntn_BENCH_notion_integration_secret"
TOKEN_ENV = "PMDASH_BENCH_NOTION_TOKEN"
REVIEWS_MAPPING = {
    "severity": "Priority",
    "services": "Systems",
    "categories": "Area",
    "status": "Review state",
}  # as in tests/test_notion_loader.py


def _fakes() -> Any:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from fakes import notion_server

    return notion_server


def unchanged_sync_requests() -> dict[str, Any]:
    """Query requests per data source, and every request by endpoint, of the second sync."""
    fakes = _fakes()
    os.environ[TOKEN_ENV] = TOKEN
    server = fakes.FakeNotion(TOKEN).start()
    try:
        fakes.add_postmortems_workspace(server)
        fakes.add_reviews_workspace(server)
        sources = [
            NotionSource.from_config(
                SourceConfig(
                    name,
                    "notion",
                    {
                        "database_id": fakes.fixture(db)["id"],
                        "token_env": TOKEN_ENV,
                        "api_url": server.url,
                        **extra,
                    },
                ),
                Config(),
            )  # fmt: skip
            for name, db, extra in (
                ("notion-postmortems", "database_postmortems", {}),
                ("reviews", "database_reviews", {"properties": REVIEWS_MAPPING}),
            )
        ]
        data_sources = {
            fakes.fixture(name)["id"].replace("-", ""): name.removeprefix("data_source_")
            for name in ("data_source_postmortems", "data_source_action_items",
                         "data_source_reviews")
        }  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "notion.duckdb")
            sync(db, sources)
            server.requests.clear()
            results = sync(db, sources)
        queries = dict.fromkeys(data_sources.values(), 0)
        for r in server.requests:
            parts = r.path.strip("/").split("/")
            if r.method == "POST" and parts[1:2] == ["data_sources"] and parts[3:] == ["query"]:
                queries[data_sources[parts[2].replace("-", "")]] += 1
        return {
            "queries": queries,
            "by_endpoint": server.by_endpoint(),
            "loaded": sum(r.loaded for r in results),
            "unchanged": sum(r.unchanged for r in results),
        }
    finally:
        server.stop()
