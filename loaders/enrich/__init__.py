"""What a sync adds after the documents are read: similar incidents, themes, services from a
catalog, categories from a taxonomy, the curation file's corrections, and the trackers'
word on action items.

Each addition is a `Step`. `loaders.sync.sync` runs the steps after every source, each in its
own transaction with its own `sync_runs` row (named after the step), so a failed step keeps
every document row and every earlier value of its own. `steps_for` is the one place that
decides which steps a configuration runs, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import duckdb

    from loaders.config import Config


@dataclass(slots=True)
class StepOutcome:
    """A step's summary plus problems the user can fix that did not stop it (a broken
    catalog file, a curation entry naming no incident): `(document, message)` pairs that
    become `warning` rows in `load_errors`."""

    message: str
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # `partial`: the step did part of its work and kept earlier values for the rest (a
    # tracker whose rate limit ran out).
    status: str = "ok"


class Step(Protocol):
    name: str  # its `sync_runs.source_name`

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> str | StepOutcome:
        """Update the store; return a one-line summary (or a StepOutcome with warnings). `changed` says whether any source
        loaded or removed a document in this sync, so a step can skip unchanged work.
        Raise `SourceError` for a failure the user can fix."""
        ...


def steps_for(config: Config) -> list[Step]:
    """The steps this configuration runs after its sources, in order."""
    from loaders.enrich.categories import TaxonomyStep
    from loaders.enrich.curation_step import CurationStep
    from loaders.enrich.services import CatalogStep
    from loaders.enrich.similar_incidents import SimilarIncidents

    # Similarity reads only the documents' text, so it can come first.
    steps: list[Step] = [SimilarIncidents(config.similarity)]
    # Services and categories from the catalog and the taxonomy first, so that the curation
    # file, applied last, wins over every other basis.
    steps += [CatalogStep(config), TaxonomyStep(config), CurationStep(config)]
    # The trackers last: they read the action items every other step left as they are.
    from loaders.enrich.trackers import tracker_steps

    steps += tracker_steps(config)
    # Last: what the dashboard reads instead of recomputing it, from the items as they end up.
    from loaders.enrich.dashboard_facts import DashboardFacts

    steps.append(DashboardFacts(config.window_days, config.threshold))
    return steps
