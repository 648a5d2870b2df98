"""The canonical record every source produces (SPEC §2), and what a source says about a document.

A field the document does not state stays None; `provenance` names where each filled field
came from, so the dashboard can show how a value was found and users can trust it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

SECTIONS = ("summary", "timeline", "contributing_factors", "root_cause", "impact", "action_items")
# The fields a labelled line (`Severity: SEV2`) can fill; `[parsing.labels]` extends their words.
LABELLED_FIELDS = (
    "title", "severity", "services", "categories", "tags", "status", "kind", "incident_date",
    "started_at", "detected_at", "resolved_at", "published_at", "time_to_detect_minutes",
    "time_to_recover_minutes",
)  # fmt: skip
ACTION_STATUSES = ("open", "in_progress", "done", "wont_do", "unknown")
STATUS_BASES = ("field", "checkbox", "marker", "emoji", "heading", "tracker", "none")
POSTMORTEM_STATUSES = ("draft", "in_review", "published")
KINDS = ("incident", "near_miss", "drill")
# How a service or category was found (SPEC §4.5). The dashboard's sidebar counts all of them,
# or only what a document states or a person curated.
BASES = ("stated", "mentioned", "inferred", "curated")
# The kinds the dashboard counts unless told otherwise: a post-mortem that does not state its
# kind counts as an incident; drills and near misses are left out.
DEFAULT_KINDS = ("incident",)


@dataclass(slots=True)
class ActionItem:
    position: int
    title: str
    owner: str | None = None
    due_date: date | None = None
    status: str = "unknown"
    status_raw: str | None = None
    status_basis: str = "none"
    closed_at: datetime | None = None
    ticket: str | None = None
    ticket_url: str | None = None
    created_at: datetime | None = None
    line: int | None = None  # where the item is written, for `pmdash lint`; not stored


@dataclass(slots=True)
class DateCandidate:
    """A day a document gives for its incident, and where it says so (read time only)."""

    kind: str  # front matter, property, label, title, timeline, summary or file name
    origin: str  # the provenance text
    day: date | None  # None for a timeline day written without its year
    month_day: tuple[int, int] | None = None  # (month, day) of such a day


@dataclass(slots=True)
class PostMortem:
    source_name: str
    source_kind: str
    source_id: str
    title: str | None = None
    source_url: str | None = None
    incident_date: date | None = None
    started_at: datetime | None = None
    detected_at: datetime | None = None
    resolved_at: datetime | None = None
    published_at: datetime | None = None
    severity: str | None = None
    severity_rank: int | None = None
    severity_raw: str | None = None
    status: str | None = None
    kind: str | None = None
    services: list[tuple[str, str]] = field(default_factory=list)  # (canonical, raw)
    categories: list[tuple[str, str]] = field(default_factory=list)  # (canonical, raw)
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    root_cause: str | None = None
    contributing_factors: str | None = None
    customer_impact: str | None = None
    time_to_detect_minutes: float | None = None
    time_to_recover_minutes: float | None = None
    sections: list[str] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    content_hash: str | None = None
    source_updated_at: datetime | None = None
    # Problems found while reading a document that still loaded (unknown severity, bad date…).
    warnings: list[str] = field(default_factory=list)
    # Every date the document gives for the incident; `incident_date` is chosen among them
    # (loaders.reading.incident_date) and the provenance names the others. Not stored.
    date_candidates: list[DateCandidate] = field(default_factory=list)

    @property
    def incident_id(self) -> str:
        return f"{self.source_name}:{self.source_id}"


# What a source says about each document it holds. A sync keeps, replaces or removes the
# stored rows of a source from these; a stored document the source no longer mentions is gone.


@dataclass(slots=True)
class Loaded:
    """A new or changed document, read into a record."""

    postmortem: PostMortem


@dataclass(slots=True)
class Unchanged:
    """A document whose stored rows are still current (same content hash or edit time)."""

    source_id: str


@dataclass(slots=True)
class Skipped:
    """Not a post-mortem (a template, README or index): recorded as a warning, not loaded."""

    source_id: str
    message: str


@dataclass(slots=True)
class Failed:
    """A document that could not be read. An earlier stored version of it is kept."""

    source_id: str
    message: str


Outcome = Loaded | Unchanged | Skipped | Failed


@dataclass(slots=True)
class KnownDocument:
    """What the store holds of a document from an earlier sync, for incremental reads."""

    source_id: str
    content_hash: str | None
    source_updated_at: datetime | None


class SourceError(Exception):
    """A whole source could not be read (bad credentials, unreachable, missing folder).

    `title` is a short heading for a person; the message says what to check.
    """

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(message)
        self.title = title or "The source could not be read"


class ConfigError(Exception):
    """The configuration or the command line is wrong; the message says what to fix."""


class Source(Protocol):
    """A place post-mortems live. `read` yields an outcome for every document it holds.

    `known` is what the store has of this source (for content-hash or edit-time checks) and
    `since` when the last completed sync began, in naive UTC (the incremental cursor of remote
    sources). Times pmdash records (syncs, edits) are naive UTC; times a document states are
    kept as written, converted to UTC when they carry an offset.
    A stored document that `read` does not mention is removed by the sync. Raising
    SourceError fails the whole source and leaves its stored rows untouched.
    """

    name: str
    kind: str

    def read(
        self, known: Mapping[str, KnownDocument], since: datetime | None
    ) -> Iterator[Outcome]: ...
