"""pmdash.toml: sources, severity scale and aliases, synonyms, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.config import SAMPLE_DIR, load_config, parse_config, store_location
from loaders.model import ConfigError
from loaders.normalize import Normalizer
from loaders.reading.document import BlockReader
from loaders.reading.extract import Rules
from loaders.reading.markdown import parse_markdown


def test_without_a_config_the_sample_corpus_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./pmdash.toml here
    monkeypatch.delenv("PMDASH_CONFIG", raising=False)
    monkeypatch.delenv("PMDASH_DB", raising=False)
    config = load_config(None)
    assert [(s.name, s.kind, s.options["path"]) for s in config.sources] == [
        ("sample", "git", str(SAMPLE_DIR))
    ]
    assert store_location(None, config) == "data/pmdash.duckdb"
    monkeypatch.setenv("PMDASH_DB", "elsewhere.duckdb")
    assert store_location(None, config) == "elsewhere.duckdb"
    assert store_location("given.duckdb", config) == "given.duckdb"


def test_a_full_config(tmp_path: Path) -> None:
    path = tmp_path / "pmdash.toml"
    path.write_text(
        """
[store]
path = "pm.duckdb"

[[sources]]
name = "handbook"
kind = "git"
path = "postmortems"
exclude = ["drafts/**"]

[[sources]]
name = "notion"
kind = "notion"
database_id = "abc"
token_env = "NOTION_TOKEN"

[severity]
levels = ["P1", "P2", "P3"]
[severity.aliases]
"customer down" = "P1"

[services.aliases]
payments = ["payments-api", "pay svc"]

[categories.aliases]
"k8s" = "kubernetes"

[parsing.headings]
action_items = ["Things we will fix"]

[parsing.labels]
severity = ["Impact level"]

[recurrence]
window_days = 90
threshold = 2
"""
    )
    config = load_config(path)
    assert config.store_path == str(tmp_path / "pm.duckdb")
    assert config.sources[0].options["path"] == str(tmp_path / "postmortems")
    assert config.source("notion").options == {"database_id": "abc", "token_env": "NOTION_TOKEN"}
    assert (config.window_days, config.threshold) == (90, 2)

    normalizer = Normalizer(config)
    assert normalizer.severity("Customer Down") == ("P1", 1)
    assert normalizer.severity("sev-2") == ("P2", 2), (
        "numbered labels map onto the configured scale"
    )
    assert normalizer.severity("critical") == ("P1", 1)
    assert normalizer.severity("P4") is None, "the scale has three levels"
    assert normalizer.service("Pay Svc") == "payments"
    assert normalizer.category("K8S") == "kubernetes"

    text = "# Outage\n\nImpact level: customer down\n\n## Things we will fix\n- Add a second replica to the queue\n"
    pm = parse_markdown(
        text, source_name="s", source_id="a.md", reader=BlockReader(Rules(config), normalizer)
    )
    assert (pm.severity, pm.severity_raw) == ("P1", "customer down")
    assert [a.title for a in pm.action_items] == ["Add a second replica to the queue"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[sources]]\nkind = "git"\npath = "x"\n', "needs a `name`"),
        ('[[sources]]\nname = "a"\nkind = "git"\n', "git source 'a' needs a `path`"),
        (
            '[[sources]]\nname = "a"\nkind = "git"\npath = "x"\n[[sources]]\nname = "a"\nkind = "git"\npath = "y"\n',
            "two sources are named 'a'",
        ),
        ('[severity.aliases]\nbad = "SEV9"\n', "which are not in the levels"),
        ("[recurrence]\nwindow_days = 0\n", "window_days must be a positive whole number"),
        ('store = "x"\n', "[store] must be a table"),
    ],
)
def test_config_errors_say_what_to_fix(toml: str, message: str) -> None:
    import tomllib

    with pytest.raises(ConfigError) as error:
        parse_config(tomllib.loads(toml))
    assert message in str(error.value)
