"""The curation file (SPEC §4.5): what a person decided about an incident's severity,
services, categories and kind, kept in git beside the config and applied at every sync.

    "git:2024-05-01-db.md":      # an incident_id
      severity: SEV2
      services: [payments-api]
      categories: [database]     # [] says "none", and hides what was mentioned or inferred
      kind: incident

Read: a problem with one entry is a warning and the rest still apply; a file that is not
YAML fails the curation step, which keeps the values curated before. Written (by the Triage
page and `pmdash triage --apply`) with ruamel.yaml's round trip, so people's comments stay,
one block per incident sorted by id, to a temporary file swapped in with `os.replace`, so a
reader never sees half a file.
"""

from __future__ import annotations

import fcntl
import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from loaders.model import KINDS, SourceError
from loaders.normalize import Normalizer, split_list

FIELDS = ("severity", "services", "categories", "kind")
HEADER = (
    "pmdash curation: what a person decided about an incident, applied at every sync and\n"
    "winning over what the documents state, mention or suggest. One block per incident id;\n"
    "fields: severity, services, categories, kind ([] = none). Written by the Triage page\n"
    "and `pmdash triage --apply`; editing by hand is fine.\n"
)


@dataclass(slots=True)
class Curated:
    """One incident's curated fields; None = not curated (the other bases apply)."""

    severity: str | None = None
    severity_rank: int | None = None
    services: list[str] | None = None
    categories: list[str] | None = None
    kind: str | None = None

    def fields(self) -> list[str]:
        return [f for f in FIELDS if getattr(self, f) is not None]


def _yaml() -> YAML:
    yaml = YAML()  # round trip: keeps comments and the order of keys
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def _load(path: Path) -> CommentedMap:
    if not path.is_file():
        return CommentedMap()
    try:
        data = _yaml().load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: not valid YAML ({e}). Fix it; until then the values "
                          "curated before stay as they were.", title="The curation file could not be read") from e  # fmt: skip
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise SourceError(f"{path}: must be a mapping of incident ids to their fields.",
                          title="The curation file could not be read")  # fmt: skip
    return data


def read_curation(path: Path, normalizer: Normalizer) -> tuple[dict[str, Curated], list[str]]:
    """The entries of the file, and a warning for each problem with an entry."""
    entries: dict[str, Curated] = {}
    warnings: list[str] = []
    for key, value in _load(path).items():
        iid = str(key)
        if not isinstance(value, Mapping):
            warnings.append(f"{iid}: must be a mapping of fields ({', '.join(FIELDS)}); ignored")
            continue
        curated, problems = _entry(value, normalizer)
        warnings += [f"{iid}: {p}" for p in problems]
        if curated.fields():
            entries[iid] = curated
    return entries, warnings


def _entry(value: Mapping[str, Any], normalizer: Normalizer) -> tuple[Curated, list[str]]:
    curated, problems = Curated(), []
    for name, raw in value.items():
        if name not in FIELDS:
            problems.append(f"unknown field {name!r} (known: {', '.join(FIELDS)}); ignored")
        elif name == "severity":
            level = normalizer.severity(str(raw)) if raw not in (None, "") else None
            if level is None:
                problems.append(f"severity {raw!r} is not one of {', '.join(normalizer.levels)}; ignored")  # fmt: skip
            else:
                curated.severity, curated.severity_rank = level
        elif name == "kind":
            if raw not in KINDS:
                problems.append(f"kind {raw!r} is not one of {', '.join(KINDS)}; ignored")
            else:
                curated.kind = str(raw)
        else:
            names = split_list(list(raw) if isinstance(raw, list) else raw)
            canonical = normalizer.service if name == "services" else normalizer.category
            setattr(curated, name, list(dict.fromkeys(canonical(n) for n in names)))
    return curated, problems


def write_curation(path: Path, updates: Mapping[str, Mapping[str, Any]]) -> None:
    """Merge `updates` (incident_id -> field -> value; None removes the field) into the file,
    atomically. An entry left with no fields is removed."""
    with _writers_one_at_a_time(path.parent):
        _merge(path, updates)


@contextmanager
def _writers_one_at_a_time(folder: Path) -> Iterator[None]:
    """Hold a lock on the curation file's folder while reading, merging and replacing it: a
    Triage save and `pmdash triage --apply` at the same time would otherwise each merge into
    the same old file, and the second replace would drop the first one's decisions. The folder
    is locked, not the file, because each write swaps in a new file; no lock file is left."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _merge(path: Path, updates: Mapping[str, Mapping[str, Any]]) -> None:
    data = _load(path)
    for iid, fields in updates.items():
        entry = data.get(iid)
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
        for name, value in fields.items():
            if value is None:
                entry.pop(name, None)
            elif isinstance(value, list | tuple):
                seq = CommentedSeq(list(value))
                seq.fa.set_flow_style()  # `services: [api, db]` reads best on one line
                entry[name] = seq
            else:
                entry[name] = value
        if entry:
            data[iid] = entry
        else:
            data.pop(iid, None)
    ordered = CommentedMap()
    for key in sorted(data, key=str):
        ordered[key] = data[key]
        if key in data.ca.items:
            ordered.ca.items[key] = data.ca.items[key]
    ordered.ca.comment = data.ca.comment
    if not path.is_file():
        ordered.yaml_set_start_comment(HEADER)
    text = io.StringIO()
    _yaml().dump(ordered, text)
    _replace(path, text.getvalue())


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(scratch, path)
    finally:
        Path(scratch).unlink(missing_ok=True)
