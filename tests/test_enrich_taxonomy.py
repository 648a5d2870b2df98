"""Categories from the taxonomy (SPEC §4.5 `inferred`): a sentence for each default category,
sentences that must match nothing, the limit of two, config overrides, and stated
categories left alone by a real sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git_source, query

from loaders.config import parse_config
from loaders.enrich import steps_for
from loaders.enrich.taxonomy import DEFAULT_TAXONOMY, TaxonomyMatcher, taxonomy_for
from loaders.sync import sync

MATCHER = TaxonomyMatcher(DEFAULT_TAXONOMY)

# Each sentence scores at least 2 for its category and less for every other.
SENTENCES = {
    "deployment": ("Checkout errors after a bad deploy",
                   "The release went out at 14:00 and we rolled back at 14:20."),
    "configuration": ("Checkout misconfigured",
                      "A config change set the upstream pool size to zero."),
    "capacity": ("Workers OOMKilled",
                 "The nodes ran out of memory during the traffic spike."),
    "dependency": ("Builds broke",
                   "A third-party library shipped a breaking change overnight."),
    "network": ("Site unreachable",
                "Packet loss between the zones; the load balancer marked hosts down."),
    "dns": ("DNS outage", "The CNAME for the login subdomain pointed at the old host."),
    "certificate": ("Site down", "The TLS certificate expired on Saturday and nobody renewed it."),
    "database": ("Checkout slow", "A schema migration took a lock and slow queries piled up."),
    "storage": ("Uploads failing", "The volume was full: no space left on device."),
    "hardware": ("Rack offline", "A power failure in the data center took the rack down."),
    "security": ("Credentials leaked", "An API token was found in a public repository."),
    "monitoring": ("Late response", "No alert fired, so nobody noticed for two hours."),
    "time": ("Reports off by an hour", "Clock skew after the daylight saving change."),
}  # fmt: skip


def test_the_default_taxonomy_has_at_least_the_categories_of_the_spec() -> None:
    assert set(SENTENCES) <= set(DEFAULT_TAXONOMY)


@pytest.mark.parametrize("category", sorted(SENTENCES))
def test_each_category_is_found_in_a_sentence_written_for_it(category: str) -> None:
    title, body = SENTENCES[category]
    assert [f.category for f in MATCHER.infer(title, body)] == [category]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # Ordinary post-mortem prose that names no cause.
        ("Outage on Tuesday", "Users saw errors for an hour. We restarted the service."),
        # One weak word alone is not enough: a single mention of "database" …
        ("Slow pages", "The team looked at the database but found nothing wrong."),
        # … nor a word that stems like a phrase but means something else ("named servers").
        ("Hub pods dying", "We added thousands of named servers to the hub."),
        # Time zones of the people involved are not a time bug.
        ("Hub down", "The tech lead, in a different time zone, answered an hour later."),
        # Words of a phrase inside a link target do not count.
        ("Errors", "See https://status.example.com/dns/certificate-expired for details."),
        # Nor the parts of a phrase far apart.
        ("Checkout", "The certificate team said the rollout had expired approvals."),
    ],
)
def test_sentences_that_must_match_nothing(title: str, body: str) -> None:
    assert MATCHER.infer(title, body) == []


def test_at_most_two_categories_and_a_weak_second_is_dropped() -> None:
    body = ("The TLS certificate expired. DNS records for the subdomain were stale. "
            "The database migration failed. The disk full alarm rang.")  # fmt: skip
    found = MATCHER.infer("Many things", body)
    assert len(found) == 2
    # certificate: "tls" 1 + "certificate expired" 2 = 3; dns: "dns record" 2 + "subdomain" 1
    # = 3; database: "database migration" 2 (its words are used up, so "migration failed"
    # does not count); storage: "disk full" 2. The best two, ties by name.
    assert [f.category for f in found] == ["certificate", "dns"]
    # A second category scoring under half the first is likely noise.
    weak = MATCHER.infer("Expired certificate", "The TLS certificate expired; the disk was fine.")
    assert [f.category for f in weak] == ["certificate"]


def test_config_replaces_a_category_adds_one_or_starts_from_nothing() -> None:
    taxonomy = taxonomy_for(True, {"dns": [], "search": ["index rebuild", "elasticsearch"]})
    assert "dns" not in taxonomy and taxonomy["search"] == ["index rebuild", "elasticsearch"]
    matcher = TaxonomyMatcher(taxonomy)
    assert [f.category for f in matcher.infer("Index rebuild stuck", "")] == ["search"]
    assert taxonomy_for(False, {"search": ["elasticsearch"]}) == {"search": ["elasticsearch"]}


def test_a_sync_infers_only_where_no_category_is_stated(tmp_path: Path, db: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "stated.md").write_text(
        "# Certificate expired\n\nCategory: process\n\n## Summary\nThe TLS certificate expired.\n"
    )
    (docs / "free.md").write_text("# Certificate expired\n\n## Summary\nThe TLS cert lapsed.\n")
    config = parse_config({}, tmp_path / "pmdash.toml")
    sync(str(db), [git_source(docs, config=config)], None, steps_for(config))
    rows = query(db, "select source_id, category, basis from incident_categories "
                     "join incidents using (incident_id) order by all")  # fmt: skip
    assert rows == [
        {"source_id": "free.md", "category": "certificate", "basis": "inferred"},
        {"source_id": "stated.md", "category": "process", "basis": "stated"},
    ]
    [free] = query(db, "select provenance->>'categories_inferred' as p from incidents "
                       "where source_id = 'free.md'")  # fmt: skip
    # "certificate expired" (2) in the title (+1), "tls" (1): 4 points.
    assert free["p"] == "certificate (score 4: certificate expired, tls)"


def test_the_readme_lists_every_default_category_with_its_first_phrases() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for category, phrases in DEFAULT_TAXONOMY.items():
        assert f"| `{category}` | “{phrases[0]}”" in readme


def test_categories_are_read_from_the_contributing_factors_too(tmp_path: Path, db: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    # No summary, impact or root cause: the cause is written only under "What went wrong".
    (docs / "evictions.md").write_text(
        "# Hub pods evicted\n\n## What went wrong\n- The node ran out of memory.\n"
        "- Pods were evicted.\n"
    )
    config = parse_config({}, tmp_path / "pmdash.toml")
    sync(str(db), [git_source(docs, config=config)], None, steps_for(config))
    [row] = query(db, "select provenance->>'categories_inferred' as p from incidents")
    # "evicted" stems like the taxonomy's "eviction": 1, +1 as it is in the title too; "ran out
    # of" (three words) 2: capacity 4.
    assert row["p"] == "capacity (score 4: eviction, ran out of)"
