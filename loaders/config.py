"""`pmdash.toml`: the store, the sources, and how raw labels map to canonical ones (SPEC §5).

Secrets never live here, only the names of the environment variables that hold them.
The file's shape (and how to add a section) is in `loaders.config_schema`; this module keeps
the `Config` the rest of pmdash reads and where the file and the store are found.
Relative paths are read from the config file's folder, so a config can be committed beside
the post-mortems it describes. Without a config, pmdash serves the bundled sample corpus.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from loaders.config_errors import describe_errors, format_errors
from loaders.config_schema import (
    DEFAULT_SEVERITY_LEVELS,
    DEFAULT_SIMILARITY,
    ConfigFile,
    GitSource,
    TrackersSection,
    keys_at,
)
from loaders.model import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The sample corpus, the post-mortem template and the Streamlit settings sit at the top of a
# checkout; an installed wheel carries them in loaders/_bundled/ (pyproject.toml, force-include).
_BUNDLED = Path(__file__).resolve().parent / "_bundled"
RESOURCE_DIR = _BUNDLED if _BUNDLED.is_dir() else PROJECT_DIR
SAMPLE_DIR = RESOURCE_DIR / "data" / "sample"
STREAMLIT_CONFIG = RESOURCE_DIR / ".streamlit" / "config.toml"
DEFAULT_STORE = "data/pmdash.duckdb"
CURATION_FILE = "pmdash-curation.yaml"
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
    similarity: float = DEFAULT_SIMILARITY
    path: Path | None = None
    # Services and categories the documents do not state (SPEC §4.5, loaders/enrich/).
    service_catalog: Path | None = None  # [services] catalog: Backstage files
    infer_services: bool = True  # [services] infer
    infer_categories: bool = True  # [categories] infer
    taxonomy: dict[str, list[str]] = field(default_factory=dict)  # [categories.taxonomy]
    default_taxonomy: bool = True  # [categories] default_taxonomy = false drops the built-in one
    curation_path: Path | None = None  # [curation] path
    trackers: TrackersSection = field(default_factory=TrackersSection)  # [trackers.*] (§4.4)

    @property
    def curation_file(self) -> Path:
        """`[curation] path`, else pmdash-curation.yaml beside the config (or here)."""
        if self.curation_path is not None:
            return self.curation_path
        return (self.path.parent if self.path else Path(".")) / CURATION_FILE

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


def mixing(db: str, config: Config, names: list[str], held: list[str]) -> str:
    """Why syncing the sources `names` into the store `db`, which holds the sources `held`,
    would mix two stores; empty when it would not. A store that holds nothing, or already
    holds every one of them, takes them; other sources go in only when the user's config
    names both this store and them (the bundled sample never joins someone's store)."""
    new = [n for n in names if n not in held]
    if not new or not held:
        return ""
    if config.path is not None and _same_store(config.store_path, db):
        return ""
    where = f"the config {config.path}" if config.path else "no config: the bundled sample"
    return (
        f"{db} holds {', '.join(held)}, and syncing would add {', '.join(new)} ({where}, "
        f"which does not name this store). Re-sync its own sources with `pmdash sync --db "
        f"{db} --git PATH`, or name this store under [store] path and its sources in pmdash.toml."
    )


def _same_store(a: str, b: str) -> bool:
    if ":" in a.split("/")[0] or ":" in b.split("/")[0]:
        return a == b
    return Path(a).resolve() == Path(b).resolve()


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
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: no such config file.") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e}).") from e
    return parse_config(raw, path, text)


def parse_config(raw: dict[str, Any], path: Path | None = None, text: str | None = None) -> Config:
    """Check `raw` against the schema and build the `Config`; `text` lets errors cite lines."""
    try:
        file = ConfigFile.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(format_errors(describe_errors(e, keys_at, raw, text), path)) from None
    base = path.parent if path else Path(".")
    sources = []
    for entry in file.sources:
        options = entry.model_dump(exclude_unset=True, exclude={"name", "kind"})
        if isinstance(entry, GitSource):
            options["path"] = str((base / entry.path).resolve())
        sources.append(SourceConfig(entry.name, entry.kind, options))
    return Config(
        store_path=_resolve_store(file.store.path, base) if file.store.path else DEFAULT_STORE,
        sources=sources,
        severity_levels=tuple(file.severity.levels),
        severity_aliases=_aliases(file.severity.aliases),
        service_aliases=_aliases(file.services.aliases),
        category_aliases=_aliases(file.categories.aliases),
        heading_synonyms=_synonyms(file.parsing.headings),
        label_synonyms=_synonyms(file.parsing.labels),
        window_days=file.recurrence.window_days,
        threshold=file.recurrence.threshold,
        similarity=file.recurrence.similarity,
        path=path,
        service_catalog=(base / file.services.catalog).resolve() if file.services.catalog else None,
        infer_services=file.services.infer,
        infer_categories=file.categories.infer,
        taxonomy=_synonyms(file.categories.taxonomy),
        default_taxonomy=file.categories.default_taxonomy,
        curation_path=(base / file.curation.path).resolve() if file.curation.path else None,
        trackers=file.trackers,
    )


def _resolve_store(value: str, base: Path) -> str:
    # `:memory:`, `md:…` and other DuckDB strings pass through; plain paths are file-relative.
    if value.startswith(":") or ":" in value.split("/")[0]:
        return value
    return str((base / value).resolve())


def _aliases(raw: Mapping[str, str | list[str]]) -> dict[str, str]:
    """Both spellings work: `canonical = ["raw", …]` (many to one) and `"raw" = "canonical"`."""
    aliases: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            aliases[key] = value
        else:
            for spelling in value:
                aliases[spelling] = key
            aliases[key] = key
    return aliases


def _synonyms(raw: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    return {key: [value] if isinstance(value, str) else list(value) for key, value in raw.items()}
