"""The service catalog (SPEC §4.5): the services a team already knows, with their aliases and
owning team, from `[services.aliases]` and Backstage `catalog-info.yaml` files.

Backstage is where many teams already keep this list, so pmdash reads it rather than asking
for a second copy: entities of kind Component and System, `metadata.name` (the canonical
name), `metadata.title` (an alias), `spec.owner` and `spec.system`. Other kinds (API,
Resource, Group, Location, …) are not services and are left alone. A file that cannot be read
is a warning, never a failed sync: the rest of the catalog still counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from loaders.config import Config
from loaders.normalize import Normalizer

SERVICE_KINDS = ("component", "system")
MAX_CATALOG_FILE_BYTES = 5 * 1024 * 1024  # the same bound as a post-mortem (SPEC §10)
CATALOG_FILE_NAMES = ("catalog-info.yaml", "catalog-info.yml")


@dataclass(slots=True)
class CatalogService:
    service: str  # canonical name, spelled as stated services are (loaders/normalize.py)
    aliases: list[str] = field(default_factory=list)  # every spelling that names it
    owner: str | None = None
    system: str | None = None
    origin: str = "config"  # config | backstage


@dataclass(slots=True)
class Catalog:
    services: list[CatalogService]
    warnings: list[tuple[str, str]]  # (file, message)

    def rows(self) -> list[tuple[str, list[str], str | None, str | None, str]]:
        return [(s.service, s.aliases, s.owner, s.system, s.origin) for s in self.services]


def load_catalog(config: Config) -> Catalog:
    """`[services.aliases]` merged with the Backstage entities under `[services] catalog`."""
    normalizer = Normalizer(config)
    by_name: dict[str, CatalogService] = {}

    def entry(name: str, origin: str) -> CatalogService:
        canonical = normalizer.service(name)
        found = by_name.get(canonical)
        if found is None:
            found = by_name[canonical] = CatalogService(canonical, origin=origin)
        if origin == "backstage":
            found.origin = origin
        return found

    for raw, canonical in config.service_aliases.items():
        _add_alias(entry(canonical, "config"), raw)
        _add_alias(entry(canonical, "config"), canonical)  # written in the config too

    warnings: list[tuple[str, str]] = []
    if config.service_catalog is not None:
        entities, warnings = read_backstage(config.service_catalog)
        systems: dict[str, CatalogService] = {}
        for entity in entities:
            service = entry(entity.name, "backstage")
            _add_alias(service, entity.name)
            if entity.title:
                _add_alias(service, entity.title)
            service.owner = service.owner or entity.owner
            if entity.system:
                service.system = normalizer.service(entity.system)
            if entity.kind == "system":
                systems[service.service] = service
        # A component that names no owner belongs to its system's owner.
        for service in by_name.values():
            if service.owner is None and service.system in systems:
                service.owner = systems[service.system].owner
    return Catalog(sorted(by_name.values(), key=lambda s: s.service), warnings)


def _add_alias(service: CatalogService, spelling: str) -> None:
    spelling = spelling.strip()
    if spelling and spelling not in service.aliases:
        service.aliases.append(spelling)


@dataclass(slots=True)
class Entity:
    kind: str  # component | system
    name: str
    title: str | None
    owner: str | None
    system: str | None


def read_backstage(path: Path) -> tuple[list[Entity], list[tuple[str, str]]]:
    """The Component and System entities of a catalog-info.yaml file, or of every such file
    under a folder; problems as (file, message) warnings."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for n in CATALOG_FILE_NAMES for p in path.rglob(n) if p.is_file())
    else:
        return [], [(str(path), "[services] catalog names no such file or folder; "
                     "the catalog holds only [services.aliases]")]  # fmt: skip
    entities: list[Entity] = []
    warnings: list[tuple[str, str]] = []
    for file in files:
        found, problems = _read_file(file)
        entities += found
        warnings += [(str(file), p) for p in problems]
    return entities, warnings


def _read_file(file: Path) -> tuple[list[Entity], list[str]]:
    try:
        if file.stat().st_size > MAX_CATALOG_FILE_BYTES:
            return [], [f"larger than {MAX_CATALOG_FILE_BYTES // 2**20} MB; not read"]
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [], [f"could not be read ({e}); its entities are not in the catalog"]
    entities: list[Entity] = []
    problems: list[str] = []
    try:
        for number, document in enumerate(yaml.load_all(text, Loader=yaml.CSafeLoader), 1):
            entity, problem = _entity(document, number)
            if entity:
                entities.append(entity)
            if problem:
                problems.append(problem)
    except yaml.YAMLError as e:
        kept = f"entities read before it: {len(entities)}, kept" if entities else "nothing read"
        problems.append(f"not valid YAML ({_one_line(e)}); {kept}")
    return entities, problems


def _entity(document: Any, number: int) -> tuple[Entity | None, str | None]:
    if document is None:  # an empty document between two `---`
        return None, None
    if not isinstance(document, dict):
        return None, f"document {number} is not a mapping; skipped"
    kind = str(document.get("kind") or "").lower()
    if kind not in SERVICE_KINDS:
        return None, None
    metadata = _mapping(document.get("metadata"))
    spec = _mapping(document.get("spec"))
    name = metadata.get("name")
    if not isinstance(name, str) or not name.strip():
        return None, f"document {number} ({kind}) has no metadata.name; skipped"
    title = metadata.get("title") if isinstance(metadata.get("title"), str) else None
    owner, system = _ref(spec.get("owner")), _ref(spec.get("system"))
    return Entity(kind, name.strip(), title, owner, system), None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ref(value: Any) -> str | None:
    """An entity reference as a plain name: `group:default/platform` -> `platform`."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().split(":", 1)[-1].split("/")[-1] or None


def _one_line(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem
