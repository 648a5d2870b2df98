"""Queries over values of every basis (SPEC §4.5, §6, §7): the switch that leaves mentioned and
inferred values out, the basis mix for captions, field coverage by basis, teams."""

from __future__ import annotations

import pytest
from conftest import git_source, write_catalog_corpus

from loaders.config import parse_config
from loaders.enrich import steps_for
from loaders.store import connect_read_only
from loaders.sync import sync
from queries import incidents, quality
from queries.filters import FIRM_BASES, Filters

DOCS = {
    # States its service and category.
    "a.md": "# 2026-03-01 Checkout down\n\nServices: checkout\nCategory: database\n\n"
    "## Summary\nQueries timed out.\n",
    # Names the payments-api service; the taxonomy finds `certificate`.
    "b.md": "# 2026-03-05 Payments errors\n\n## Summary\n`payments-api` failed: the TLS "
    "certificate expired.\n",
    # Names ledger (owned by team-payments through its system) and no category.
    "c.md": "# 2026-04-02 Ledger lag\n\n## Summary\nThe ledger fell behind.\n",
}


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("basis")
    docs = write_catalog_corpus(root, DOCS)
    config = parse_config({"services": {"catalog": "backstage"}}, root / "pmdash.toml")
    db = str(root / "store.duckdb")
    sync(db, [git_source(docs, config=config)], None, steps_for(config))
    return connect_read_only(db)


def test_the_switch_leaves_mentioned_and_inferred_values_out(conn) -> None:  # type: ignore[no-untyped-def]
    every = incidents.top(conn, Filters(), by="service")
    assert dict(zip(every["service"], every["incidents"], strict=True)) == {
        "checkout": 1, "ledger": 1, "payments-api": 1}  # fmt: skip
    firm = incidents.top(conn, Filters(bases=FIRM_BASES), by="service")
    assert firm["service"].tolist() == ["checkout"]  # the only stated service
    # Filtering by a mentioned service finds its incident only while mentions count.
    chosen = Filters(services=("ledger",))
    assert len(incidents.table(conn, chosen)) == 1
    assert len(incidents.table(conn, Filters(services=("ledger",), bases=FIRM_BASES))) == 0


def test_the_table_marks_each_value_with_its_basis(conn) -> None:  # type: ignore[no-untyped-def]
    table = incidents.table(conn, Filters()).set_index("incident_id")
    assert table.loc["docs:b.md", "services"] == "payments-api (mentioned)"
    assert table.loc["docs:b.md", "categories"] == "certificate (inferred)"
    assert table.loc["docs:a.md", "services"] == "checkout"  # stated: shown plain


def test_the_basis_mix_names_what_the_switch_leaves_out(conn) -> None:  # type: ignore[no-untyped-def]
    mix = incidents.basis_mix(conn, Filters())
    # Services: checkout stated; payments-api and ledger mentioned. Categories: database
    # stated; certificate inferred (c.md gets none).
    assert incidents.describe_mix(mix, "service") == "1 stated, 2 mentioned"
    assert incidents.describe_mix(mix, "category") == "1 stated, 1 inferred"
    assert (
        incidents.describe_mix(mix, "category", FIRM_BASES) == "1 stated, 1 inferred (not counted)"
    )


def test_field_coverage_by_basis(conn) -> None:  # type: ignore[no-untyped-def]
    coverage = quality.field_coverage_by_basis(conn, Filters()).set_index("field")
    assert coverage.loc["service", ["stated", "mentioned", "missing"]].tolist() == pytest.approx(
        [1 / 3, 2 / 3, 0])  # fmt: skip
    assert coverage.loc["category", ["stated", "inferred", "missing"]].tolist() == pytest.approx(
        [1 / 3, 1 / 3, 1 / 3])  # fmt: skip
    assert coverage.loc["severity", "missing"] == 1  # no document states a severity


def test_incidents_by_owning_team(conn) -> None:  # type: ignore[no-untyped-def]
    teams = incidents.over_time(conn, Filters(), by="team", period="month")
    rows = list(zip(teams["period"], teams["team"], teams["incidents"], strict=True))
    # checkout is not in the catalog: no owner; payments-api's owner is team-payments; ledger
    # names none and takes its system's (payments -> team-payments).
    assert rows == [("2026-03", "no owner", 1), ("2026-03", "team-payments", 1),
                    ("2026-04", "team-payments", 1)]  # fmt: skip
