"""Which of the dates a document writes is its incident date, as a careful reader decides.

A post-mortem often writes several: a `Date:` line, a date in the title, days in the timeline,
one in the summary's first sentence, one in the file name. They disagree more often than one
would think: file names are often the publication date, days after the incident, and titles
get copied from an older report. The rules:

1. A date stated as a field (front matter, a property, a `Date:` line) is the incident date.
2. Otherwise the timeline decides, since its rows were written while the incident went on: the
   title's (or summary's, or file name's) date when it is one of the timeline's days (the
   timeline may start with a precursor), else the timeline's first day.
3. Without dated timeline rows, the date most of the title, summary and file name agree on;
   on a tie the title, then the summary, then the file name.

Timeline days written without a year ("## July 22") take the year that puts them nearest the
document's other dates. Every other date written is named in the provenance.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from loaders.model import DateCandidate, PostMortem

PRECEDENCE = ("front matter", "property", "label", "title", "timeline", "summary", "file name")
_STATED = PRECEDENCE[:3]
_WRITTEN = ("title", "summary", "file name")


def kind_of(origin: str) -> str:
    return next((k for k in PRECEDENCE if origin.startswith(k)), "label")


def offer(pm: PostMortem, day: date | tuple[int, int], origin: str) -> None:
    """Add a candidate (a date, or the (month, day) of a timeline row without a year) and
    decide again, so `pm.incident_date` is always the choice among the dates read so far."""
    if isinstance(day, date):
        pm.date_candidates.append(DateCandidate(kind_of(origin), origin, day))
    else:
        pm.date_candidates.append(DateCandidate("timeline", origin, None, day))
    decide(pm, pm.date_candidates)


def decide(pm: PostMortem, candidates: list[DateCandidate]) -> None:
    """Set `pm.incident_date` and its provenance from every candidate read so far."""
    chosen = _choose(candidates)
    if chosen is None:
        return
    pm.incident_date = chosen.day
    others: dict[date, list[str]] = {}
    for candidate in candidates:
        if candidate.day and candidate.day != chosen.day and candidate.kind != "timeline":
            others.setdefault(candidate.day, [])
            if candidate.kind not in others[candidate.day]:
                others[candidate.day].append(candidate.kind)
    first_day = next((c.day for c in _timeline(candidates) if c.day), None)
    if first_day and first_day != chosen.day:
        others.setdefault(first_day, []).append("timeline's first day")
    written = "; ".join(f"{day} ({', '.join(kinds)})" for day, kinds in sorted(others.items()))
    pm.provenance["incident_date"] = chosen.origin + (
        f"; other dates written: {written}" if written else ""
    )


def _choose(candidates: list[DateCandidate]) -> DateCandidate | None:
    stated = [c for c in candidates if c.kind in _STATED and c.day]
    if stated:
        return min(stated, key=lambda c: PRECEDENCE.index(c.kind))
    written = sorted(
        (c for c in candidates if c.kind in _WRITTEN and c.day),
        key=lambda c: PRECEDENCE.index(c.kind),
    )
    timeline = [c for c in _timeline(candidates) if c.day]
    if timeline:
        days = {c.day for c in timeline}
        return next((c for c in written if c.day in days), timeline[0])
    if not written:
        return None
    votes = Counter(c.day for c in written)
    return max(written, key=lambda c: (votes[c.day], -PRECEDENCE.index(c.kind)))


def _timeline(candidates: list[DateCandidate]) -> list[DateCandidate]:
    """The timeline's days in document order, days without a year given the nearest one."""
    rows = [c for c in candidates if c.kind == "timeline"]
    dated = [c.day for c in rows if c.day] or [
        c.day for c in candidates if c.day and c.kind != "timeline"
    ]
    if not dated:
        return rows
    near = dated[0]
    resolved = []
    for row in rows:
        if row.day is None and row.month_day:
            month, day = row.month_day
            options = [_day(year, month, day) for year in (near.year - 1, near.year, near.year + 1)]
            days = [d for d in options if d]
            if days:
                best = min(days, key=lambda d: abs((d - near).days))
                origin = f"{row.origin}, its year from the document's other dates"
                row = DateCandidate(row.kind, origin, best, row.month_day)
        resolved.append(row)
    return resolved


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a year without it
        return None
