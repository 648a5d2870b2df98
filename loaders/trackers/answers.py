"""What a tracker says about one ticket, and how a look-up ends early.

`state` is `found`, `not_found`, `forbidden` or `not_checked` (SPEC §3); the other fields are
filled only for `found`, from the tracker's own words (`status_detail` keeps them, such as
`CLOSED/NOT_PLANNED` or `Done/Won't Do`, so a surprising mapping can be checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(slots=True)
class Answer:
    ticket: str
    state: str
    status: str | None = None  # open | in_progress | done | wont_do
    status_detail: str | None = None
    closed_at: datetime | None = None  # naive UTC
    owner: str | None = None
    due_date: date | None = None
    url: str | None = None
    updated_at: datetime | None = None  # naive UTC, the tracker's last change
    etag: str | None = None  # GitHub REST: asked again with If-None-Match
    checked_at: datetime | None = None


class LookupStopped(Exception):
    """The tracker stopped answering for a while (a rate limit ran out). The answers given
    before it are kept; the tickets not asked yet keep earlier values or become not_checked."""

    def __init__(self, message: str, resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.resets_at = resets_at


def naive_utc(value: datetime | None) -> datetime | None:
    """Store times are naive UTC (loaders.sync.utc_now)."""
    if value is None or value.tzinfo is None:
        return value
    from datetime import UTC

    return value.astimezone(UTC).replace(tzinfo=None)


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time as trackers write it (`2024-05-01T10:00:00Z`, `…+0200`) in naive UTC."""
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]  # Jira's `+0200`
    return naive_utc(datetime.fromisoformat(text))
