"""Similar incidents and themes computed at sync time (SPEC §3, §6), on fixtures written for it.

tests/fixtures/similar/ holds six post-mortems: three about the same failure (payments API
timeouts after a database failover; the third titles it with the same words in another
order) and three unrelated ones whose bodies share only boilerplate ("We will improve
monitoring and alerting so that we notice problems sooner").
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, git_source, query

from bench import similarity as similarity_bench
from loaders.config import Config
from loaders.enrich import steps_for
from loaders.enrich.similar_incidents import SimilarIncidents
from loaders.enrich.similarity import Document, similar_pairs, vectorize
from loaders.enrich.themes import find_themes
from loaders.sync import sync

FOLDER = FIXTURES / "similar"
FIRST = "docs:2024-01-10-payments-timeouts.md"
AGAIN = "docs:2024-03-02-payments-timeouts-again.md"
REORDERED = "docs:2024-05-20-failover-payments.md"
UNRELATED = (
    "docs:2024-02-14-expired-certificate.md",
    "docs:2024-04-01-search-disk-full.md",
    "docs:2024-06-11-dns-record-deleted.md",
)


def sync_folder(db: Path, folder: Path = FOLDER, threshold: float = 0.5) -> list:
    return sync(str(db), [git_source(folder)], steps=[SimilarIncidents(threshold)])


def pairs(db: Path) -> dict[tuple[str, str], dict]:
    rows = query(db, "select * from similar_incidents order by incident_id, similar_incident_id")
    return {(r["incident_id"], r["similar_incident_id"]): r for r in rows}


def test_the_config_runs_the_step_with_its_threshold() -> None:
    [step] = [s for s in steps_for(Config(similarity=0.42)) if isinstance(s, SimilarIncidents)]
    assert step.threshold == 0.42


def test_near_identical_and_reordered_titles_are_linked_boilerplate_is_not(db: Path) -> None:
    sync_folder(db)
    found = pairs(db)
    # Exactly the three pairs of the payments failure, each in both orders: 6 rows.
    linked = {FIRST, AGAIN, REORDERED}
    assert set(found) == {(a, b) for a in linked for b in linked if a != b}
    # Both orders carry the same score and terms.
    assert found[FIRST, AGAIN]["similarity"] == found[AGAIN, FIRST]["similarity"]
    assert found[FIRST, AGAIN]["shared_terms"] == found[AGAIN, FIRST]["shared_terms"]
    # Titles "Payments API timeouts after (a) database failover": the same words once "a"
    # and "after" (stop words) go, so the title cosine is 1; bodies share some words
    # (payments, api, failover, …), so the combination 0.7 × 1 + 0.3 × body lies in (0.7, 1).
    assert 0.7 < found[FIRST, AGAIN]["similarity"] < 1
    # "Database failover: payments API timeouts": the same words in another order, cosine 1.
    assert 0.7 < found[FIRST, REORDERED]["similarity"] < 1
    # None of the boilerplate-only documents is similar to anything.
    assert not any(a in UNRELATED or b in UNRELATED for a, b in found)


def test_shared_terms_are_the_words_a_person_would_point_at(db: Path) -> None:
    sync_folder(db)
    terms = pairs(db)[FIRST, REORDERED]["shared_terms"]
    # The five words both titles are made of; "after", "a" are stop words.
    assert sorted(terms) == ["api", "database", "failover", "payments", "timeouts"]


def test_a_group_is_named_after_its_earliest_incident(db: Path) -> None:
    sync_folder(db)
    groups = {r["group_id"] for r in pairs(db).values()}
    # One group (all three are linked); the earliest is 2024-01-10.
    assert groups == {"Payments API timeouts after database failover"}


def test_fewer_than_ten_incidents_get_no_themes(db: Path) -> None:
    sync_folder(db)
    assert query(db, "select count(*) as n from themes") == [{"n": 0}]
    assert query(db, "select count(*) as n from incident_themes") == [{"n": 0}]


def test_two_syncs_of_the_same_folder_give_identical_rows(tmp_path: Path) -> None:
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    for db in (first, second):
        sync(
            str(db),
            [git_source(corpus / "2i2c-incident-reports", "2i2c"), git_source(FOLDER)],
            steps=[SimilarIncidents(0.5)],
        )
    for table in ("similar_incidents", "themes", "incident_themes"):
        sql = f"select * from {table} order by all"  # constant names
        assert query(first, sql) == query(second, sql), table
    # 7 + 6 = 13 incidents (>= 10): themes exist, so the comparison above compared some.
    assert query(first, "select count(*) > 0 as some from themes") == [{"some": True}]


def test_an_unchanged_resync_recomputes_nothing(db: Path) -> None:
    sync_folder(db)
    before = query(db, "select * from similar_incidents order by all")
    again = sync_folder(db)
    assert again[-1].message == "unchanged"
    assert query(db, "select * from similar_incidents order by all") == before


def test_a_new_threshold_recomputes_without_any_document_change(db: Path) -> None:
    sync_folder(db)
    # 0.8 keeps only the pairs scored above it: of the three, FIRST–AGAIN (≈0.82) and
    # FIRST–REORDERED (≈0.83) stay, AGAIN–REORDERED (≈0.78) goes.
    result = sync_folder(db, threshold=0.8)
    assert result[-1].message.startswith("2 similar pairs over 3 of 6 incidents")
    assert set(pairs(db)) == {
        (FIRST, AGAIN),
        (AGAIN, FIRST),
        (FIRST, REORDERED),
        (REORDERED, FIRST),
    }


def test_a_changed_document_recomputes(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(FOLDER, folder)
    sync_folder(db, folder)
    (folder / "2024-05-20-failover-payments.md").unlink()
    result = sync_folder(db, folder)
    assert result[-1].message.startswith("1 similar pairs over 2 of 5 incidents")
    assert set(pairs(db)) == {(FIRST, AGAIN), (AGAIN, FIRST)}


def test_themes_need_two_members_that_use_the_label_words() -> None:
    # Twelve documents (>= 10): four about certificates, four about disks, four about DNS.
    texts = (
        ["The TLS certificate expired because renewal was manual"] * 4
        + ["The disk filled because the volume had no free space alert"] * 4
        + ["The DNS record was deleted by a cleanup script"] * 4
    )
    ids = [f"d{k:02}" for k in range(12)]
    vectors = vectorize([Document(i, "", "", text) for i, text in zip(ids, texts, strict=True)])
    themes = find_themes(ids, vectors.causes, vectors.body_terms)
    members = sorted(sorted(i for i, _ in t.members) for t in themes)
    # Three themes, one per failure; every document in exactly the theme of its own words.
    assert members == [ids[0:4], ids[4:8], ids[8:12]]
    labels = {t.label for t in themes}
    assert all(2 <= len(t.terms) <= 4 for t in themes)
    assert any("certificate" in label for label in labels)
    assert any("dns" in label for label in labels)


def test_the_benchmark_documents_run_through_the_step() -> None:
    # bench/similarity.py (the 10,000-document timing) on 60 documents: the step computes,
    # then finds nothing changed. Its times are for `make bench`, not for tests.
    result = similarity_bench.measure(60)
    assert result["documents"] == 60
    assert "similar pairs over" in str(result["message"])
    assert result["unchanged_message"] == "unchanged"


def test_post_mortems_with_titles_and_no_body_are_compared_by_title() -> None:
    # Ten or more documents with a title and no summary or causes (a page that is only its
    # properties): the step failed ("0 features") instead of comparing the titles.
    titles = ["Checkout outage after deploy", "Search index stale", "Login errors on mobile"]
    documents = [Document(f"d{k:02d}", titles[k % 3], "", "") for k in range(12)]
    vectors = vectorize(documents)
    pairs = similar_pairs(vectors, [d.incident_id for d in documents], 0.5)
    # Four documents share each title: 3 titles x 4·3 ordered pairs, every one at 1.0.
    assert len(pairs) == 36
    assert {p.similarity for p in pairs} == {1.0}
    assert all(titles.index(documents[int(p.incident_id[1:])].title)
               == titles.index(documents[int(p.similar_incident_id[1:])].title) for p in pairs)  # fmt: skip
    # Themes read the bodies: with no body words there are none, and no failure.
    assert find_themes([d.incident_id for d in documents], vectors.causes, vectors.body_terms) == []
