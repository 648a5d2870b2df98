"""Triage from a shell (SPEC §8 `pmdash triage`, `pmdash suggest services`): the table, what an
edited copy asks the curation file to say, and the CSV round trip through a real sync."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from conftest import CORPUS, query, write_catalog_corpus

from cli import main
from queries.triage import changes

DOCS = {
    # Everything stated: nothing to triage.
    "a.md": "# 2026-03-01 Checkout down\n\nSeverity: SEV2\nServices: checkout\n"
    "Category: database\n\n## Summary\nQueries timed out.\n",
    # No severity; payments-api only mentioned; certificate only inferred.
    "b.md": "# 2026-03-05 Payments errors\n\n## Summary\n`payments-api` failed: the TLS "
    "certificate expired.\n",
    # A stated severity; ledger only mentioned; no category.
    "c.md": "# 2026-04-02 Ledger lag\n\nSeverity: SEV3\n\n## Summary\nThe ledger fell behind.\n",
}


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _setup(root: Path) -> tuple[Path, str]:
    write_catalog_corpus(root, DOCS)
    config = root / "pmdash.toml"
    config.write_text('[store]\npath = "store.duckdb"\n[[sources]]\nname = "docs"\nkind = "git"\n'
                      'path = "docs"\n[services]\ncatalog = "backstage"\n')  # fmt: skip
    code, output = _cli("sync", "--config", str(config))
    assert code == 0, output
    return config, str(root / "store.duckdb")


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_the_csv_round_trip_writes_only_what_changed_and_a_sync_applies_it(tmp_path: Path) -> None:
    config, db = _setup(tmp_path)
    out = tmp_path / "triage.csv"
    assert _cli("triage", "--config", str(config), "--out", str(out))[0] == 0
    rows = _read_csv(out)
    assert [r["incident_id"] for r in rows] == ["docs:c.md", "docs:b.md"]  # newest first
    b = rows[1]
    assert (b["severity"], b["services"], b["services_basis"]) == ("", "payments-api", "mentioned")
    assert (b["categories"], b["categories_basis"]) == ("certificate", "inferred")

    # A person's edits in a spreadsheet: b gets a severity; c gets a category and a second
    # service; the rest of each row is left as it was.
    rows[1]["severity"] = "SEV1"
    rows[0]["categories"] = "network"
    rows[0]["services"] = "ledger; payments-api"
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, output = _cli("triage", "--config", str(config), "--apply", str(out))
    assert code == 0, output
    assert "2 post-mortems changed" in output
    assert (tmp_path / "pmdash-curation.yaml").read_text().split("\n", 4)[-1] == (
        "docs:b.md:\n  severity: SEV1\n"
        "docs:c.md:\n  services: [ledger, payments-api]\n  categories: [network]\n"
    )

    assert _cli("sync", "--config", str(config))[0] == 0
    assert query(db, "select source_id, severity from incidents order by 1") == [
        {"source_id": "a.md", "severity": "SEV2"},
        {"source_id": "b.md", "severity": "SEV1"},
        {"source_id": "c.md", "severity": "SEV3"},
    ]
    assert query(db, "select service, basis from incident_services join incidents "
                     "using (incident_id) where source_id = 'c.md' order by 1") == [
        {"service": "ledger", "basis": "curated"},
        {"service": "payments-api", "basis": "curated"},
    ]  # fmt: skip
    # c is decided now (severity stated, services and category curated); b still has only a
    # mentioned service and an inferred category.
    assert _cli("triage", "--config", str(config), "--out", str(out))[0] == 0
    assert [r["incident_id"] for r in _read_csv(out)] == ["docs:b.md"]


def test_applying_an_unchanged_copy_writes_nothing(tmp_path: Path) -> None:
    config, _ = _setup(tmp_path)
    out = tmp_path / "triage.csv"
    _cli("triage", "--config", str(config), "--out", str(out))
    code, output = _cli("triage", "--config", str(config), "--apply", str(out))
    assert code == 0 and "no change" in output
    assert not (tmp_path / "pmdash-curation.yaml").exists()


def test_triage_needs_exactly_one_of_out_and_apply(tmp_path: Path) -> None:
    config, _ = _setup(tmp_path)
    assert _cli("triage", "--config", str(config))[0] == 2


def test_changes_compare_lists_as_sets_and_ignore_an_emptied_severity() -> None:
    before = [{"incident_id": "x", "severity": "SEV2", "services": ["a", "b"],
               "categories": ["dns"], "kind": "incident"}]  # fmt: skip
    assert changes(before, [{**before[0], "services": ["b", "a"]}]) == {}
    assert changes(before, [{**before[0], "severity": ""}]) == {}  # no "no severity" decision
    assert changes(before, [{**before[0], "categories": []}]) == {"x": {"categories": []}}
    # A CSV cell the export protected against formulas reads back as written.
    assert changes(before, [{**before[0], "services": "'-legacy, a"}]) == {
        "x": {"services": ["-legacy", "a"]}}  # fmt: skip
    assert changes(before, [{"incident_id": "unknown", "severity": "SEV1"}]) == {}


def test_suggest_services_lists_names_from_the_corpus() -> None:
    code, output = _cli("suggest", "services", str(CORPUS / "learningequality-postmortems"))
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "mentions\tdocuments\tsignal\tname"  # tab-separated, for a spreadsheet
    # Cloudflare is written 11 times, in 2 of the 4 post-mortems, not at a sentence start.
    assert lines[1] == "11\t2\tcapitalised term\tCloudflare"
    assert "3\t1\thost name\tstudio.learningequality.org" in lines
