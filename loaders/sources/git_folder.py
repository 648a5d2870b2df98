"""The Git-folder source: a folder of Markdown post-mortems, usually inside a git repository.

Every file the globs select is one document, identified by its path relative to the folder.
Anything wrong with one file (not UTF-8, binary, empty, too large, a symlink loop, invalid
front matter…) becomes one `load_errors` row naming the file and what to do; the rest load.
A file whose bytes, reading rules and configuration are unchanged since the last sync is not
parsed again: its content hash covers all three.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import re
import stat
import subprocess
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from wcmatch import glob

from loaders.config import Config, SourceConfig
from loaders.model import (
    ConfigError,
    Failed,
    KnownDocument,
    Loaded,
    Outcome,
    Skipped,
    SourceError,
    Unchanged,
)
from loaders.normalize import Normalizer
from loaders.reading.document import BlockReader
from loaders.reading.extract import Rules
from loaders.reading.limits import OverBudget, time_budget
from loaders.reading.markdown import DocumentError, NotAPostMortem, parse_markdown

MAX_BYTES = 5 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
# Below this many changed files a process pool costs more to start than it saves.
PARALLEL_MIN_FILES = 400
PARALLEL_CHUNK = 32
PARALLEL_SLICE = 1024
MAX_WORKERS = 4
DEFAULT_GLOB = "**/*.md"
GLOB_FLAGS = glob.GLOBSTAR | glob.BRACE | glob.FORCEUNIX
# Files that live beside post-mortems but are never one.
NOT_POSTMORTEMS = re.compile(
    r"^(readme|index|license|licence|copying|notice|authors|codeowners|contributing|changelog|makefile|dockerfile|summary)(\.[\w.]+)?$",
    re.IGNORECASE,
)
_LOADERS = Path(__file__).resolve().parents[1]
_READING_CODE = (
    "reading/markdown.py",
    "reading/document.py",
    "reading/extract.py",
    "reading/dates.py",
    "normalize.py",
    "sources/git_folder.py",
)
# Changing the reading rules re-reads every document on the next sync, as editing config does.
READER_FINGERPRINT = hashlib.sha256(
    b"".join((_LOADERS / name).read_bytes() for name in _READING_CODE)
).hexdigest()[:16]


def glob_matcher(patterns: list[str]) -> glob.WcMatcher | None:
    """Paths relative to the folder, matched with `**` (any folders), `*`, `?`, `[0-9]` classes
    and `{a,b}` braces, the same on every platform; None when there is nothing to match."""
    return glob.compile(patterns, flags=GLOB_FLAGS) if patterns else None


@dataclass
class GitFolderSource:
    name: str
    path: Path
    config: Config
    globs: list[str] = field(default_factory=lambda: [DEFAULT_GLOB])
    exclude: list[str] = field(default_factory=list)
    url_template: str | None = None
    kind: str = "git"

    @classmethod
    def from_config(cls, source: SourceConfig, config: Config) -> GitFolderSource:
        options = source.options
        globs = options.get("glob", DEFAULT_GLOB)
        exclude = options.get("exclude", [])
        for key, value in (("glob", globs), ("exclude", exclude)):
            if not isinstance(value, str | list):
                raise ConfigError(
                    f"source {source.name!r}: `{key}` must be a glob or a list of globs."
                )
        template = options.get("url_template")
        if template is not None and "{path}" not in str(template):
            raise ConfigError(f"source {source.name!r}: `url_template` must contain {{path}}.")
        return cls(
            name=source.name,
            path=Path(str(options["path"])),
            config=config,
            globs=[globs] if isinstance(globs, str) else list(globs),
            exclude=[exclude] if isinstance(exclude, str) else list(exclude),
            url_template=template,
        )

    def read(self, known: Mapping[str, KnownDocument], since: datetime | None) -> Iterator[Outcome]:
        if not self.path.is_dir():
            raise SourceError(
                f"{self.path} is not a folder; check the `path` of source {self.name!r}.",
                title="Post-mortem folder not found",
            )
        salt = f"{READER_FINGERPRINT}:{self.config.fingerprint()}:{self.url_template}".encode()
        listing = list(self._walk())
        selected = {rel for rel, problem in listing if problem is None}
        pending: list[_Pending] = []
        for rel, problem in listing:
            outcome = (
                Failed(rel, problem) if problem else self._check_file(rel, known, salt, selected)
            )
            if isinstance(outcome, _Pending):
                pending.append(outcome)
            else:
                yield outcome
        if pending:
            history = git_history(self.path)
            for item in pending:
                item.first_commit, item.last_commit = history.get(item.rel, (None, None))
            yield from self._parse_all(pending)

    def _parse_all(self, pending: list[_Pending]) -> Iterator[Outcome]:
        """Parse changed files, on every core when there are many: parsing is the slow part."""
        if len(pending) < PARALLEL_MIN_FILES or (os.cpu_count() or 1) < 2:
            reader = BlockReader(Rules(self.config), Normalizer(self.config))
            for item in pending:
                yield _parse(item, self.name, self.url_template, reader)
            return
        # "spawn": forking a process that runs threads (the dashboard's sync button) is unsafe.
        context = multiprocessing.get_context("spawn")
        workers = min(os.cpu_count() or 2, MAX_WORKERS)
        with context.Pool(
            workers, _init_worker, (self.name, self.url_template, self.config)
        ) as pool:
            # Slices, two in flight: the workers parse the next slice while the sync writes
            # this one's records (with one, they sat idle at every slice's end), and memory
            # holds two slices' records, however large the folder.
            in_flight: deque[Iterator[Outcome]] = deque()
            for start in range(0, len(pending), PARALLEL_SLICE):
                batch = pending[start : start + PARALLEL_SLICE]
                in_flight.append(pool.imap(_parse_in_worker, batch, chunksize=PARALLEL_CHUNK))
                if len(in_flight) == 2:
                    yield from in_flight.popleft()
            while in_flight:
                yield from in_flight.popleft()

    def _walk(self) -> Iterator[tuple[str, str | None]]:
        """(relative path, problem or None) for every file the globs select, in a stable order."""
        include, exclude = glob_matcher(self.globs), glob_matcher(self.exclude)
        visited: dict[str, str] = {}
        root = str(self.path)
        for folder, dirs, files in os.walk(root, followlinks=True):
            rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
            rel_folder = "" if rel_folder == "." else rel_folder + "/"
            real = os.path.realpath(folder)
            if real in visited:
                dirs[:] = []
                yield (
                    rel_folder.rstrip("/"),
                    (
                        f"symlink loop: this folder leads back to {visited[real] or 'the source folder'}; "
                        "it was read once there — remove the link or add it to `exclude`"
                    ),
                )
                continue
            visited[real] = rel_folder.rstrip("/")
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                rel = rel_folder + name
                if name.startswith(".") or (exclude and exclude.match(rel)):
                    continue
                if (include and include.match(rel)) or "." not in name:
                    yield rel, None

    def _check_file(
        self,
        rel: str,
        known: Mapping[str, KnownDocument],
        salt: bytes,
        selected: set[str],
    ) -> Outcome | _Pending:
        """Everything about a file short of parsing it: readable, changed, a post-mortem at all."""
        path = self.path / rel
        try:
            info = path.stat()
        except OSError as e:
            return Failed(rel, _stat_problem(e, path))
        try:
            data = _read_bytes(path, info)
        except _Unreadable as e:
            return Failed(rel, str(e))
        if path.is_symlink():
            target = os.path.relpath(os.path.realpath(path), os.path.realpath(self.path))
            target = target.replace(os.sep, "/")
            if target in selected:
                return Skipped(
                    rel, f"duplicate id: a link to {target}, which is loaded under its own name"
                )

        content_hash = hashlib.sha256(salt + data).hexdigest()
        stored = known.get(rel)
        if stored and stored.content_hash == content_hash:
            return Unchanged(rel)
        if b"\x00" in data[:BINARY_SNIFF_BYTES]:
            return Failed(
                rel,
                "binary file (it contains NUL bytes), not a Markdown post-mortem; remove it or add it to `exclude`",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            return Failed(
                rel, f"not UTF-8: byte 0x{data[e.start]:02x} at line {line}; save the file as UTF-8"
            )
        if not text.strip():
            return Failed(rel, "empty file; write the post-mortem or delete the file")
        name = rel.rsplit("/", 1)[-1]
        if "template" in name.lower():
            return Skipped(rel, "a template (its name says so), not a post-mortem; not loaded")
        if NOT_POSTMORTEMS.match(name):
            return Skipped(
                rel, f"{name} is a README, index or project file, not a post-mortem; not loaded"
            )
        return _Pending(rel, text, content_hash, _utc(info.st_mtime))


@dataclass(slots=True)
class _Pending:
    """A changed file, read and checked, waiting to be parsed."""

    rel: str
    text: str
    content_hash: str
    modified_at: datetime
    first_commit: datetime | None = None
    last_commit: datetime | None = None


def _parse(
    item: _Pending, source_name: str, url_template: str | None, reader: BlockReader
) -> Outcome:
    try:
        with time_budget():
            pm = parse_markdown(
                item.text, source_name=source_name, source_id=item.rel, reader=reader
            )
    except NotAPostMortem as e:
        return Skipped(item.rel, str(e))
    except DocumentError as e:
        return Failed(item.rel, str(e))
    except OverBudget as e:
        return Failed(item.rel, f"{e}; simplify the document (deep nesting, huge tables)")
    except RecursionError:
        return Failed(item.rel, "nested too deeply to read; flatten its lists and quotes")
    pm.content_hash = item.content_hash
    if url_template:
        pm.source_url = url_template.format(path=item.rel)
    if pm.published_at is None and item.first_commit is not None:
        pm.published_at = item.first_commit
        pm.provenance["published_at"] = "git: first commit of the file"
    pm.source_updated_at = item.last_commit or item.modified_at
    return Loaded(pm)


_worker: tuple[str, str | None, BlockReader] | None = None


def _init_worker(source_name: str, url_template: str | None, config: Config) -> None:
    global _worker
    _worker = (source_name, url_template, BlockReader(Rules(config), Normalizer(config)))


def _parse_in_worker(item: _Pending) -> Outcome:
    assert _worker is not None, "the pool initialiser sets the worker's reader"
    return _parse(item, *_worker)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


class _Unreadable(Exception):
    pass


def _read_bytes(path: Path, info: os.stat_result) -> bytes:
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable(
            "not a regular file (a device, pipe or socket); remove it or add it to `exclude`"
        )
    if info.st_size > MAX_BYTES:
        raise _Unreadable(
            f"{info.st_size / 1024 / 1024:.1f} MB, over the {MAX_BYTES // 1024 // 1024} MB limit "
            "for one post-mortem; split it, move attachments out, or add it to `exclude`"
        )
    try:
        return path.read_bytes()
    except PermissionError as e:
        raise _Unreadable("cannot read: permission denied; make the file readable") from e


def _stat_problem(error: OSError, path: Path) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop: the link points back to itself; fix or remove the link"
    if error.errno == errno.ENOENT and path.is_symlink():
        return f"cannot read: it is a link to {os.readlink(path)!r}, which does not exist; fix or remove the link"
    if error.errno == errno.EACCES:
        return "cannot read: permission denied; make the file readable"
    return f"cannot read: {error.strerror}"


def git_history(folder: Path) -> dict[str, tuple[datetime, datetime]]:
    """(first, last) commit time of each file, by path relative to `folder`; {} outside git.

    One `git log` for the whole folder: asking per file would cost a process per document.
    """
    try:
        subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True, check=True, timeout=30,
        )  # fmt: skip
        log = subprocess.run(
            ["git", "-c", "core.quotepath=off", "-C", str(folder), "log", "--format=%x00%ct",
             "--name-only", "--no-renames", "--relative", "--", "."],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {}
    history: dict[str, tuple[datetime, datetime]] = {}
    for commit in log.split("\x00")[1:]:
        lines = commit.strip().splitlines()
        if not lines:
            continue
        when = _utc(int(lines[0]))
        for name in lines[1:]:
            if name:
                # The log runs newest first: the first time seen is the last commit.
                last = history[name][1] if name in history else when
                history[name] = (when, last)
    return history
