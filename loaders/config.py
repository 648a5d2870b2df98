"""`pmdash.toml`: the store, the sources, and how raw labels map to canonical ones (SPEC §5).

Secrets never live here, only the names of the environment variables that hold them.
Relative paths are read from the config file's folder, so a config can be committed beside
the post-mortems it describes. Without a config, pmdash serves the bundled sample corpus.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.model import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
DEFAULT_STORE = "data/pmdash.duckdb"
SOURCE_KINDS = ("git", "notion", "confluence")
DEFAULT_SEVERITY_LEVELS = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
# Words teams use for severity, by level index (0 = most severe).
DEFAULT_SEVERITY_WORDS = {
    "critical": 0, "blocker": 0, "emergency": 0, "urgent": 0,
    "major": 1, "high": 1, "severe": 1,
    "medium": 2, "moderate": 2, "normal": 2,
    "minor": 3, "low": 3,
    "trivial": 4, "cosmetic": 4, "informational": 4,
}  # fmt: skip


@dataclass(slots=True)
class SourceConfig:
    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Config:
    store_path: str = DEFAULT_STORE
    sources: list[SourceConfig] = field(default_factory=list)
    severity_levels: tuple[str, ...] = DEFAULT_SEVERITY_LEVELS
    severity_aliases: dict[str, str] = field(default_factory=dict)  # raw -> level
    service_aliases: dict[str, str] = field(default_factory=dict)  # raw -> canonical
    category_aliases: dict[str, str] = field(default_factory=dict)  # raw -> canonical
    heading_synonyms: dict[str, list[str]] = field(default_factory=dict)  # section -> headings
    label_synonyms: dict[str, list[str]] = field(default_factory=dict)  # field -> labels
    window_days: int = 180
    threshold: int = 3
    path: Path | None = None

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"No source named {name!r} in the config (configured: {known}).")

    def fingerprint(self) -> str:
        """A hash of everything that changes how a document is read into a record.

        It is part of each document's content hash, so editing aliases or synonyms
        re-reads the documents on the next sync instead of keeping stale rows.
        """
        parts = [
            self.severity_levels,
            self.severity_aliases,
            self.service_aliases,
            self.category_aliases,
            self.heading_synonyms,
            self.label_synonyms,
        ]
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def store_location(explicit: str | None, config: Config) -> str:
    """`--db`, else `$PMDASH_DB`, else the config's `[store] path`, else data/pmdash.duckdb."""
    return explicit or os.environ.get("PMDASH_DB") or config.store_path


def sample_config() -> Config:
    """The configuration used when none is given: the bundled sample corpus."""
    return Config(sources=[SourceConfig("sample", "git", {"path": str(SAMPLE_DIR)})])


def find_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """`--config`, else `$PMDASH_CONFIG`, else `./pmdash.toml` when it exists."""
    if explicit:
        return Path(explicit)
    if os.environ.get("PMDASH_CONFIG"):
        return Path(os.environ["PMDASH_CONFIG"])
    local = Path("pmdash.toml")
    return local if local.is_file() else None


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config_path(explicit)
    if path is None:
        return sample_config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: no such config file.") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e}).") from e
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | None = None) -> Config:
    base = path.parent if path else Path(".")
    origin = str(path) if path else "config"
    config = Config(path=path)

    store = _table(raw, "store", origin)
    if "path" in store:
        config.store_path = _resolve_store(str(store["path"]), base)

    names: set[str] = set()
    for i, entry in enumerate(raw.get("sources", [])):
        if not isinstance(entry, dict):
            raise ConfigError(f"{origin}: [[sources]] entry {i + 1} is not a table.")
        name, kind = entry.get("name"), entry.get("kind")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{origin}: [[sources]] entry {i + 1} needs a `name`.")
        if kind not in SOURCE_KINDS:
            raise ConfigError(
                f"{origin}: source {name!r} has kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}."
            )
        if name in names:
            raise ConfigError(f"{origin}: two sources are named {name!r}; names must be unique.")
        names.add(name)
        options = {k: v for k, v in entry.items() if k not in ("name", "kind")}
        if kind == "git":
            if "path" not in options:
                raise ConfigError(f"{origin}: git source {name!r} needs a `path`.")
            options["path"] = str((base / str(options["path"])).resolve())
        config.sources.append(SourceConfig(name, kind, options))

    severity = _table(raw, "severity", origin)
    if "levels" in severity:
        levels = severity["levels"]
        if (
            not isinstance(levels, list)
            or not levels
            or not all(isinstance(v, str) for v in levels)
        ):
            raise ConfigError(
                f"{origin}: [severity] levels must be a list of names, most severe first."
            )
        config.severity_levels = tuple(levels)
    config.severity_aliases = _aliases(severity.get("aliases", {}), f"{origin} [severity.aliases]")
    unknown = set(config.severity_aliases.values()) - set(config.severity_levels)
    if unknown:
        raise ConfigError(
            f"{origin}: [severity.aliases] maps to {sorted(unknown)}, which are not in the levels "
            f"{list(config.severity_levels)}."
        )
    config.service_aliases = _aliases(
        _table(raw, "services", origin).get("aliases", {}), f"{origin} [services.aliases]"
    )
    config.category_aliases = _aliases(
        _table(raw, "categories", origin).get("aliases", {}), f"{origin} [categories.aliases]"
    )

    parsing = _table(raw, "parsing", origin)
    config.heading_synonyms = _synonyms(parsing.get("headings", {}), f"{origin} [parsing.headings]")
    config.label_synonyms = _synonyms(parsing.get("labels", {}), f"{origin} [parsing.labels]")

    recurrence = _table(raw, "recurrence", origin)
    for key in ("window_days", "threshold"):
        if key in recurrence:
            value = recurrence[key]
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{origin}: [recurrence] {key} must be a positive whole number.")
            setattr(config, key, value)
    return config


def _resolve_store(value: str, base: Path) -> str:
    # `:memory:`, `md:…` and other DuckDB strings pass through; plain paths are file-relative.
    if value.startswith(":") or ":" in value.split("/")[0]:
        return value
    return str((base / value).resolve())


def _table(raw: dict[str, Any], key: str, origin: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: [{key}] must be a table.")
    return value


def _aliases(raw: Any, origin: str) -> dict[str, str]:
    """Both spellings work: `canonical = ["raw", …]` (many to one) and `"raw" = "canonical"`."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin} must be a table.")
    aliases: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            aliases[key] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            for spelling in value:
                aliases[spelling] = key
            aliases[key] = key
        else:
            raise ConfigError(f"{origin}: {key!r} must map to a name or a list of spellings.")
    return aliases


def _synonyms(raw: Any, origin: str) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin} must be a table.")
    out: dict[str, list[str]] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{origin}: {key!r} must be a list of words.")
        out[key] = value
    return out
