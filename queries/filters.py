"""The global filters of the dashboard and the CLI (SPEC §7), as query parameters.

One frozen value object, so the dashboard can cache on it and `pmdash export` can build the
same selection from command-line options. Empty tuples mean "all". A post-mortem that does
not state its kind counts as an incident, so drills and near misses are out by default
while documents that say nothing are in. Incidents without a date are shown only while no
date bound is set: a bounded range cannot say whether they belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from loaders import model
from loaders.model import KINDS

# How a service or category was found (SPEC §4.5). The sidebar's switch counts all of them, or
# only what a document states or a person curated. Defined with the model: a sync keeps
# answers for the default selection (loaders/enrich/recurrence_facts.py).
BASES = model.BASES
FIRM_BASES = ("stated", "curated")
UNRATED = "unrated"  # the severity label of incidents whose document states none
DEFAULT_KINDS = model.DEFAULT_KINDS
DIMENSIONS = ("service_category", "service", "category", "similar")
# The default repeat: same service and same category, "the same kind of incident in the same
# place". By service alone nearly every incident of a busy team repeats within 180 days.
DEFAULT_DIM = "service_category"
DIMENSION_LABELS = {
    "service": "service",
    "category": "category",
    "service_category": "service × category",
    # A group of incidents linked by similarity (loaders/enrich/similar_incidents.py).
    "similar": "group of similar incidents",
}


# What a click on a chart can name, and the filter it narrows.
CLICKABLE = {"severity": "severities", "service": "services", "category": "categories",
             "source": "sources"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    start: date | None = None
    end: date | None = None
    severities: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = DEFAULT_KINDS
    bases: tuple[str, ...] = BASES  # services and categories of these bases count

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "severities": list(self.severities),
            "services": list(self.services),
            "categories": list(self.categories),
            "sources": list(self.sources),
            "kinds": list(self.kinds or KINDS),
            "bases": list(self.bases or BASES),
        }

    def between(self, start: date | None, end: date | None) -> Filters:
        return replace(self, start=start, end=end)

    def narrowed(self, clicked: dict[str, str]) -> Filters:
        """These filters and what a click on a chart names: a period ("2026Q3", "2026-07")
        within the current dates, and a severity, service, category or source in place of
        that filter's choice (the chart only shows values the filter lets through)."""
        narrowed = self
        for name, value in clicked.items():
            if name == "period":
                period = pd.Period(value)
                start, end = period.start_time.date(), period.end_time.date()
                narrowed = narrowed.between(
                    max(start, self.start) if self.start else start,
                    min(end, self.end) if self.end else end,
                )
            elif name in CLICKABLE:
                narrowed = replace(narrowed, **{CLICKABLE[name]: (value,)})  # type: ignore[arg-type]
            else:
                raise ValueError(f"a chart cannot narrow the filters by {name!r}")
        return narrowed

    def previous_period(self, start: date, end: date) -> Filters:
        """The same filters over the period of the same length that ends the day before."""
        length = (end - start).days + 1
        return self.between(start - timedelta(days=length), start - timedelta(days=1))

    def describe(self) -> str:
        """One line that says what is selected, for captions, reports and exports."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        for label, values in (
            ("severity", self.severities),
            ("service", self.services),
            ("category", self.categories),
            ("source", self.sources),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        parts.append(f"kind: {', '.join(self.kinds or KINDS)}")
        if set(self.bases or BASES) != set(BASES):
            parts.append(f"services and categories: {', '.join(self.bases)} only")
        return "; ".join(parts)
