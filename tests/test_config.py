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


def _error(tmp_path: Path, toml: str) -> str:
    path = tmp_path / "pmdash.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    return str(error.value).replace(str(path), "pmdash.toml")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        # Each message names the line, the key and what to write instead.
        ('[[sources]]\nkind = "git"\npath = "x"\n', "pmdash.toml:1: [[sources]] entry 1 needs a `name`."),
        ('[[sources]]\nname = "a"\nkind = "git"\n', "pmdash.toml:1: git source 'a' needs a `path`."),
        (
            '[[sources]]\nname = "a"\nkind = "git"\npath = "x"\n[[sources]]\nname = "a"\nkind = "git"\npath = "y"\n',
            "pmdash.toml: two sources are named 'a'; names must be unique.",
        ),
        ('[[sources]]\nname = "a"\nkind = "svn"\n', "pmdash.toml:3: source 'a' has kind 'svn'; use one of git, notion, confluence."),
        ('[[sources]]\nname = "a"\n', "pmdash.toml:1: source 'a' needs a `kind`: one of git, notion, confluence."),
        ('sources = [1]\n', "pmdash.toml:1: [[sources]] entry 1 must be a table."),
        ('[severity.aliases]\nbad = "SEV9"\n', "pmdash.toml:1: [severity.aliases] maps to ['SEV9'], which are not in the levels ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']."),
        ("[recurrence]\nwindow_days = 0\n", "pmdash.toml:2: [recurrence] window_days must be a positive whole number (got 0)."),
        ('store = "x"\n', "pmdash.toml:1: [store] must be a table."),
    ],
)  # fmt: skip
def test_config_errors_say_what_to_fix(tmp_path: Path, toml: str, message: str) -> None:
    assert _error(tmp_path, toml) == message


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("\n[recurence]\nwindow_days = 90\n", "pmdash.toml:2: unknown section [recurence]; did you mean [recurrence]?"),
        ('[store]\npth = "x.duckdb"\n', "pmdash.toml:2: [store] has no key `pth`; did you mean `path`?"),
        ('[parsing.labels]\nsevrity = ["Impact"]\n', "pmdash.toml:2: [parsing.labels] has no key `sevrity`; did you mean `severity`?"),
        ('[parsing.headings]\n"root cause" = ["Why"]\n', "pmdash.toml:2: [parsing.headings] has no key `root cause`; did you mean `root_cause`?"),
        ('[[sources]]\nname = "h"\nkind = "git"\npath = "p"\nglobb = "*.md"\n', "pmdash.toml:5: git source 'h' has no key `globb`; did you mean `glob`?"),
        ('[[sources]]\nname = "n"\nkind = "notion"\ndatabse_id = "x"\n', "pmdash.toml:4: notion source 'n' has no key `databse_id`; did you mean `database_id`?"),
        ('[[sources]]\nname = "c"\nkind = "confluence"\nspce = "ENG"\n', "pmdash.toml:4: confluence source 'c' has no key `spce`; did you mean `space`?"),
    ],
)  # fmt: skip
def test_unknown_keys_are_errors_with_a_suggestion_and_the_line(
    tmp_path: Path, toml: str, message: str
) -> None:
    assert _error(tmp_path, toml).startswith(message)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[recurrence]\nwindow_days = true\n", "pmdash.toml:2: [recurrence] window_days must be a positive whole number (got true)."),
        ('[recurrence]\nthreshold = "3"\n', "pmdash.toml:2: [recurrence] threshold must be a positive whole number (got '3')."),
        ('[severity]\nlevels = "P1"\n', "pmdash.toml:2: [severity] levels must be a list of names, most severe first (got 'P1')."),
        ("[services.aliases]\npayments = 3\n", "pmdash.toml:2: [services.aliases] payments must be a name or a list of spellings (got 3)."),
        ("[categories]\naliases = 3\n", "pmdash.toml:2: [categories] aliases must be a table whose entries are each a name or a list of spellings (got 3)."),
        ("[parsing.labels]\nseverity = [1]\n", "pmdash.toml:2: [parsing.labels] severity must be a list of words (got [1])."),
        ('[[sources]]\nname = "h"\nkind = "git"\npath = "p"\nglob = 3\n', "pmdash.toml:5: git source 'h' glob must be a glob or a list of globs (got 3)."),
        ('[[sources]]\nname = "c"\nkind = "confluence"\ncloud = "yes"\n', "pmdash.toml:4: confluence source 'c' cloud must be true or false (got 'yes')."),
        ('[[sources]]\nname = "n"\nkind = "notion"\ntoken_env = "secret_abc def"\n', "pmdash.toml:4: notion source 'n' token_env must be the name of an environment variable (got 'secret_abc def')."),
    ],
)  # fmt: skip
def test_wrong_types_are_errors_not_coerced(tmp_path: Path, toml: str, message: str) -> None:
    assert _error(tmp_path, toml) == message


def test_every_mistake_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = """
[store]
pth = "x.duckdb"

[recurrence]
threshold = 0
window_days = 'a \
b = 1'
notes = \"\"\"
c = 2
\"\"\"

[[sources]]
name = "a"
kind = "git"
path = "p"

[[sources]]
name = "b"
kind = "git"
path = "q"
exclude = 1
"""
    lines = _error(tmp_path, text).splitlines()
    # The multi-line string's `c = 2` is text, not a key: `notes` is reported at its own line 8.
    assert [line.split(":")[1] for line in lines] == ["3", "6", "7", "8", "21"]
    assert "second" not in lines[-1] and "git source 'b' exclude" in lines[-1]


def test_parse_config_without_the_text_still_names_the_key() -> None:
    # Callers that hold only the parsed table (no file) get the message without a line.
    with pytest.raises(ConfigError) as error:
        parse_config({"recurence": {}})
    assert str(error.value).startswith("config: unknown section [recurence]; did you mean")


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    message = _error(tmp_path, '[store]\npath = "x\n')
    assert message.startswith("pmdash.toml: not valid TOML (") and "line 2" in message


def test_source_options_keep_what_the_file_wrote(tmp_path: Path) -> None:
    # Unset options stay unset, so each source applies its own defaults and env-var checks.
    path = tmp_path / "pmdash.toml"
    path.write_text(
        '[[sources]]\nname = "c"\nkind = "confluence"\nurl = "https://x.example/wiki"\nspace = "ENG"\ntoken_env = "T"\n'
    )
    assert load_config(path).source("c").options == {
        "url": "https://x.example/wiki", "space": "ENG", "token_env": "T"
    }  # fmt: skip


def test_the_label_vocabulary_the_schema_checks_is_the_one_the_reader_knows() -> None:
    from loaders.model import LABELLED_FIELDS, SECTIONS
    from loaders.reading.extract import LABEL_SYNONYMS, SECTION_SYNONYMS

    assert tuple(LABEL_SYNONYMS) == LABELLED_FIELDS
    assert tuple(SECTION_SYNONYMS) == SECTIONS
