"""Services by mention (SPEC §4.5): the catalog from [services.aliases] and Backstage files,
the matching rules and their traps, and the catalog step inside a real sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, git_source, query

from loaders.config import parse_config
from loaders.enrich import steps_for
from loaders.enrich.catalog import CatalogService, load_catalog, read_backstage
from loaders.enrich.mentions import MentionMatcher, written_exactly
from loaders.model import ConfigError
from loaders.sync import sync

BACKSTAGE = FIXTURES / "backstage"


def test_backstage_reads_components_and_systems_of_every_catalog_file() -> None:
    entities, warnings = read_backstage(BACKSTAGE)
    names = {e.name: e for e in entities}
    # payments/: System payments, Components payments-api and ledger (API and Group are not
    # services; the list and the nameless component are warned about); search/: search, auth;
    # broken/: `reports` before the YAML error. search/other.yaml is not a catalog-info file.
    assert sorted(names) == ["auth", "ledger", "payments", "payments-api", "reports", "search"]
    assert names["payments-api"].owner == "team-payments"  # `group:default/` is dropped
    assert names["payments-api"].system == "payments"  # `system:default/payments`
    assert names["payments-api"].title == "Payments API"
    assert names["search"].owner == "grace"
    messages = [(Path(f).parent.name, m) for f, m in warnings]
    assert ("payments", "document 6 is not a mapping; skipped") in messages
    assert ("payments", "document 7 (component) has no metadata.name; skipped") in messages
    broken = [m for folder, m in messages if folder == "broken"]
    # The parser notices the unclosed `[` of line 10 on line 12, where it says so.
    assert len(broken) == 1 and broken[0].startswith("not valid YAML (line 12:")
    assert broken[0].endswith("entities read before it: 1, kept")


def test_catalog_merges_config_aliases_and_takes_owner_from_the_system(tmp_path: Path) -> None:
    (tmp_path / "pmdash.toml").write_text(
        '[services]\ncatalog = "backstage"\n[services.aliases]\n'
        '"payments-api" = ["payapi"]\n"jupyterhub" = ["JupyterHub", "z2jh"]\n'
    )
    shutil.copytree(BACKSTAGE / "payments", tmp_path / "backstage")
    config = parse_config(
        {"services": {"catalog": "backstage", "aliases": {"payments-api": ["payapi"],
                                                          "jupyterhub": ["JupyterHub", "z2jh"]}}},
        tmp_path / "pmdash.toml",
    )  # fmt: skip
    catalog = load_catalog(config)
    by_name = {s.service: s for s in catalog.services}
    assert sorted(by_name) == ["jupyterhub", "ledger", "payments", "payments-api"]
    assert by_name["payments-api"].aliases == ["payapi", "payments-api", "Payments API"]
    assert by_name["payments-api"].origin == "backstage"
    assert by_name["jupyterhub"].origin == "config" and by_name["jupyterhub"].owner is None
    # ledger names no owner: it belongs to its system's owner.
    assert by_name["ledger"].owner == "team-payments"


def _matcher(*services: tuple[str, list[str]]) -> MentionMatcher:
    return MentionMatcher([CatalogService(name, aliases) for name, aliases in services])


def _found(matcher: MentionMatcher, text: str) -> list[str]:
    return [m.service for m in matcher.find({"summary": text})]


def test_whole_words_only_and_a_hyphen_joins_a_word() -> None:
    matcher = _matcher(("auth", ["auth"]), ("payments-api", ["payments-api"]), ("api", ["api"]))
    assert _found(matcher, "Authentication failed for everyone") == []
    assert _found(matcher, "The AUTH service timed out") == ["auth"]  # not plain English
    assert _found(matcher, "payments-api returned 500s") == ["payments-api"]  # not `api`
    assert _found(matcher, "the api pods restarted") == ["api"]


def test_short_aliases_and_plain_english_words_count_only_as_written() -> None:
    assert written_exactly("db") and written_exactly("hub") and written_exactly("DNS")
    assert not written_exactly("jupyterhub") and not written_exactly("payments-api")
    matcher = _matcher(("hub", ["Hub"]), ("db", ["DB"]), ("jupyterhub", ["JupyterHub"]))
    assert _found(matcher, "the hub was slow and the db filled up") == []
    assert _found(matcher, "Hub restarts; DB failover") == ["db", "hub"]
    assert _found(matcher, "JUPYTERHUB and jupyterhub") == ["jupyterhub"]  # case-insensitive


def test_words_inside_urls_do_not_count_but_host_names_do() -> None:
    matcher = _matcher(("payments", ["payments"]), ("sushibar", ["sushibar"]))
    assert _found(matcher, "see https://grafana.example.com/d/payments/overview") == []
    assert _found(matcher, "sushibar.example.org was giving an error") == ["sushibar"]


def test_the_longest_alias_wins_and_every_place_is_recorded() -> None:
    matcher = _matcher(("payments", ["Payments"]), ("payments-api", ["Payments API"]))
    [mention] = matcher.find({"title": "Payments API down", "summary": "payments api errors"})
    assert mention.service == "payments-api"
    assert mention.describe() == "payments-api ('Payments API' in title; 'payments api' in summary)"


POSTMORTEMS = {
    # States a service: the mention of ledger must not add to it.
    "stated.md": "# Ledger drift\n\nServices: checkout\n\n## Summary\nThe ledger lagged.\n",
    # Names a service in a code span and another only inside a link target.
    "code.md": "# Slow checkouts\n\n## Summary\nRequests to `payments-api` timed out; see "
    "[the dashboard](https://grafana.example.com/d/search).\n",
    # Says "authentication", which is not the `auth` service.
    "plain.md": "# Login trouble\n\n## Summary\nAuthentication was slow for an hour.\n",
}


def _corpus(root: Path) -> tuple[Path, Path]:
    docs = root / "docs"
    docs.mkdir()
    for name, text in POSTMORTEMS.items():
        (docs / name).write_text(text)
    (root / "pmdash.toml").write_text('[services]\ncatalog = "backstage"\n')
    shutil.copytree(BACKSTAGE, root / "backstage")
    return docs, root / "pmdash.toml"


def _sync(db: Path, docs: Path, config_path: Path):  # type: ignore[no-untyped-def]
    import tomllib

    config = parse_config(tomllib.loads(config_path.read_text()), config_path)
    return sync(str(db), [git_source(docs, config=config)], None, steps_for(config))


def test_sync_adds_mentions_never_over_stated_services(tmp_path: Path, db: Path) -> None:
    docs, config_path = _corpus(tmp_path)
    results = _sync(db, docs, config_path)
    assert [(r.source_name, r.status) for r in results] == [
        ("docs", "ok"),
        ("similar incidents", "ok"),
        ("catalog", "ok"),
        ("taxonomy", "ok"),
        ("curation", "ok"),
        ("trackers", "ok"),
        ("dashboard facts", "ok"),
    ]  # fmt: skip  (no tracker connected: the reset step)
    rows = query(db, "select split_part(incident_id, ':', 2) as doc, service, service_raw, basis "
                     "from incident_services order by all")  # fmt: skip
    assert rows == [
        {"doc": "code.md", "service": "payments-api", "service_raw": "payments-api",
         "basis": "mentioned"},
        {"doc": "stated.md", "service": "checkout", "service_raw": "checkout", "basis": "stated"},
    ]  # fmt: skip
    provenance = json.loads(query(db, "select provenance from incidents where source_id = "
                                      "'code.md'")[0]["provenance"])  # fmt: skip
    assert provenance["services_mentioned"] == "payments-api ('payments-api' in summary)"
    # 6 entities (reports from the broken file included) in the catalog table.
    assert len(query(db, "select * from service_catalog")) == 6
    # The broken file and the two bad documents are warnings of the catalog step.
    warnings = query(db, "select e.document, e.severity from load_errors e join sync_runs r "
                         "using (sync_id) where r.source_name = 'catalog'")  # fmt: skip
    assert len(warnings) == 3 and {w["severity"] for w in warnings} == {"warning"}


def test_an_unchanged_resync_matches_nothing_again_and_a_catalog_change_all(
    tmp_path: Path, db: Path
) -> None:
    docs, config_path = _corpus(tmp_path)
    _sync(db, docs, config_path)
    again = {r.source_name: r.message for r in _sync(db, docs, config_path)}
    assert "0 incidents matched again" in again["catalog"]
    config_path.write_text('[services]\ncatalog = "backstage"\n[services.aliases]\n'
                           'ledger = ["Ledger"]\n')  # fmt: skip
    changed = {r.source_name: r.message for r in _sync(db, docs, config_path)}
    # All three incidents are matched again; stated.md states a service, so only code.md
    # has a mention, and "Ledger" in stated.md's title still adds nothing.
    assert "3 incidents matched again, 1 of them name a service" in changed["catalog"]


def test_the_config_keys_of_services_categories_and_curation(tmp_path: Path) -> None:
    config = parse_config(
        {
            "services": {"catalog": "catalog", "infer": False},
            "categories": {"taxonomy": {"search": ["index rebuild"]}, "infer": False,
                           "default_taxonomy": False},
            "curation": {"path": "decided.yaml"},
        },
        tmp_path / "pmdash.toml",
    )  # fmt: skip
    assert config.service_catalog == tmp_path / "catalog"  # relative to the config's folder
    assert (config.infer_services, config.infer_categories, config.default_taxonomy) == (
        False, False, False)  # fmt: skip
    assert config.taxonomy == {"search": ["index rebuild"]}
    assert config.curation_file == tmp_path / "decided.yaml"
    # Without [curation] path the file sits beside the config.
    assert parse_config({}, tmp_path / "pmdash.toml").curation_file == (
        tmp_path / "pmdash-curation.yaml"
    )
    with pytest.raises(ConfigError, match=r"\[services\] infer must be true or false"):
        parse_config({"services": {"infer": "no"}}, tmp_path / "pmdash.toml")
