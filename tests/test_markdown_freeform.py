"""Free-form post-mortems as real teams write them (../shared/corpus), loaded end to end.

Each expected value was established by reading the document; the reason stands beside it.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import CORPUS, query

LE = "learningequality-postmortems"
I2C = "2i2c-incident-reports"

# (folder, file): (title, incident date, action-item statuses in order, reason)
EXPECTED = {
    (LE, "001-buildkite-failing-build.md"): (
        "Buildkite kolibri builds failing due to upgraded docker image",
        None,
        ["unknown", "unknown"],
        "the H1 is an empty 'Title:' and the next heading carries the title; no date anywhere in "
        "title, timeline rows or file name; the two top-level bullets under 'Long term solution' are "
        "the follow-ups (the nested options belong to the second), with no status marker",
    ),
    (LE, "002-cloudflare-incomplete-migration.md"): (
        "Cloudflare incomplete migration",
        date(2017, 9, 18),
        ["unknown", "unknown", "unknown"],
        "every H1 is a section (Overview, What happened…), so the title comes from the file name; "
        "the overview opens 'In the morning of Sept. 18th, 2017'; three plain bullets under "
        "'Corrective actions' — the '[x]'/'[]' list under 'Notes to the owner' is the template's "
        "publishing checklist, not follow-ups",
    ),
    (LE, "003-instantschools-migrations-not-included.md"): (
        "Instantschools migrations not included",
        date(2017, 11, 13),
        [],
        "title from the file name; the overview's first line is 'Monday, Nov. 13, 2017'; "
        "'Corrective actions' is prose with no list, so no items",
    ),
    (LE, "004-sushibar-certificate-expired.md"): (
        "Sushibar expired certificate postmortem",
        date(2018, 8, 22),
        ["unknown", "unknown", "unknown"],
        "H1 title; 'Start: Wednesday, 2018-08-22' under '## Date' (the timeline agrees); "
        "'Action Items' is a bare line followed by three bullets without status",
    ),
    (I2C, "reports/2020-10-28-memory-overload.md"): (
        "Memory overload on WER cluster",
        date(2020, 8, 28),
        ["unknown"] * 5,
        "the H1 '2020-08-28 - Memory overload…' and the summary ('On 2020-08-28') state the date; "
        "the timeline has times only, so the file name's 10-28 is outvoted two to one (and named "
        "in the provenance); five bullets with issue links, no status",
    ),
    (I2C, "reports/2023-01-23-Upgrading-ingress-nginx-caused-brief-outage-in-carbonplan.md"): (
        "Upgrading ingress-nginx caused brief outage in carbonplan",
        date(2023, 1, 23),
        [],
        "date in the H1; the report has no action-items section",
    ),
    (I2C, "reports/2023-02-01-daskhub-induced-evictions.md"): (
        "Heavy use of dask-gateway induced critical pod evictions",
        date(2023, 2, 1),
        ["unknown"] * 5,
        "date in the H1; 'Follow-up improvements' lists five issue references, no status",
    ),
    (I2C, "reports/2025-05-12-earthscope-resource-provisioning-issue.md"): (
        "Incident report May 12 2025 - Earthscope resource provisioning issue",
        date(2025, 5, 12),
        ["open", "open"],
        "'May 12 2025' in the H1; two unchecked boxes, the nested links belong to the second",
    ),
    (I2C, "reports/2025-07-11-cloudbank-healthcheck.md"): (
        "Incident report July 11 2025 - CloudBank health check fail plus GroupExporter pod restarts",
        date(2025, 7, 11),
        ["open", "open"],
        "'July 11 2025' in the H1; two unchecked boxes",
    ),
    (I2C, "reports/2025-07-21-openscapes-hub-pods-dying.md"): (
        "Incident report July 21 2025 - Openscapes hub pods dying post-stress-testing",
        date(2025, 7, 22),
        ["open"],
        "the H1 and the summary say July 21 2025, the day of the support request and the stress "
        "test; the timeline's days are '## July 22' (first alert fires at 1:03) and 'July 23' "
        "(resolved), so the incident day is 2025-07-22, the year from the title; one unchecked box",
    ),
    (I2C, "reports/2025-08-12-leap-outage.md"): (
        "Incident report August 12 2025 - LEAP hub outage",
        date(2025, 8, 12),
        ["open", "open", "open", "done", "done"],
        "'August 12 2025' in the H1; three unchecked and two checked boxes",
    ),
}
SKIPPED = {
    LE: {"README.md", "TEMPLATE.md", "LICENSE"},
    I2C: {"LICENSE"},
}


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    from conftest import git_source

    from loaders.sync import sync

    db = str(tmp_path_factory.mktemp("corpus") / "corpus.duckdb")
    results = sync(db, [git_source(CORPUS / LE, LE), git_source(CORPUS / I2C, I2C)])
    assert [r.status for r in results] == ["ok", "ok"]
    return db


@pytest.mark.parametrize(("folder", "name"), sorted(EXPECTED))
def test_corpus_document(corpus_store: str, folder: str, name: str) -> None:
    title, incident_date, statuses, reason = EXPECTED[(folder, name)]
    [incident] = query(
        corpus_store, "select * from incidents where incident_id = ?", [f"{folder}:{name}"]
    )
    assert (incident["title"], incident["incident_date"]) == (title, incident_date), reason
    items = query(
        corpus_store,
        "select status from action_items where incident_id = ? order by position",
        [f"{folder}:{name}"],
    )
    assert [i["status"] for i in items] == statuses, reason


def test_corpus_loads_every_post_mortem_and_skips_the_rest(corpus_store: str) -> None:
    loaded = query(corpus_store, "select source_name, source_id from incidents")
    assert {(r["source_name"], r["source_id"]) for r in loaded} == set(EXPECTED)
    skipped = query(corpus_store, "select source_name, document, severity from load_errors")
    assert {(r["source_name"], r["document"]) for r in skipped} == {
        (folder, name) for folder, names in SKIPPED.items() for name in names
    }
    assert {r["severity"] for r in skipped} == {"warning"}, "templates and READMEs are warnings"


def test_tickets_come_from_issue_links(corpus_store: str) -> None:
    rows = query(
        corpus_store,
        "select ticket, ticket_url from action_items where incident_id = ? order by position",
        [f"{I2C}:reports/2020-10-28-memory-overload.md"],
    )
    # Each bullet ends with <https://github.com/2i2c-org/infrastructure/issues/N>.
    assert [r["ticket"] for r in rows] == [
        f"2i2c-org/infrastructure#{n}" for n in (89, 90, 91, 92, 87)
    ]
    assert rows[0]["ticket_url"] == "https://github.com/2i2c-org/infrastructure/issues/89"


def test_date_provenance_names_its_rule(corpus_store: str) -> None:
    rows = query(
        corpus_store,
        "select source_id, provenance->>'incident_date' as how from incidents where source_name = ?",
        [LE],
    )
    how = {r["source_id"]: r["how"] for r in rows}
    assert how["001-buildkite-failing-build.md"] == "not stated"
    assert how["002-cloudflare-incomplete-migration.md"].startswith("summary: first date written")
    assert how["004-sushibar-certificate-expired.md"].startswith("label 'Start'")


def test_the_other_dates_written_are_named_in_the_provenance(corpus_store: str) -> None:
    rows = query(
        corpus_store,
        "select source_id, provenance->>'incident_date' as how from incidents "
        "where provenance->>'incident_date' like '%other dates%' order by source_id",
    )
    assert rows == [
        {
            "source_id": "reports/2020-10-28-memory-overload.md",
            "how": "title (H1 heading (line 1)); other dates written: 2020-10-28 (file name)",
        },
        {
            "source_id": "reports/2025-07-21-openscapes-hub-pods-dying.md",
            "how": "timeline: the row at line 22, its year from the document's other dates; "
            "other dates written: 2025-07-21 (title, summary, file name)",
        },
    ], (
        "the other nine documents write one date (or none) wherever they write it; the "
        "sushibar timeline's first day is its 'Start:' line's day"
    )


def test_durations_stated_in_sentences(corpus_store: str) -> None:
    rows = query(
        corpus_store,
        "select incident_id, time_to_detect_minutes as detect, time_to_recover_minutes as recover, "
        "provenance->>'time_to_recover_minutes' as how from incidents "
        "where time_to_detect_minutes is not null or time_to_recover_minutes is not null",
    )
    # No document labels a duration or states start and end times. The LEAP summary says the
    # hub was "rendered entirely inaccessible for ~1hr" (its timeline: declared 5:00 PM,
    # resolved 6:11 PM). Numbers about other things stay out: Earthscope's "servers taking
    # >15min to start", Openscapes' "CPU bound for 96s", CloudBank's "took a few hours to
    # resolve" (no number).
    assert rows == [
        {
            "incident_id": f"{I2C}:reports/2025-08-12-leap-outage.md",
            "detect": None,
            "recover": 60.0,
            "how": "sentence: 'inaccessible for ~1hr' (line 4)",
        }
    ]
