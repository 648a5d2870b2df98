"""The trackers as enrichment steps: one step per connected tracker (`tracker:github`,
`tracker:jira`), each its own transaction and `sync_runs` row; with none connected, one
`trackers` step that gives items a tracker answered for before their document's values back.
The look-ups themselves are in loaders/trackers/."""

from __future__ import annotations

import duckdb

from loaders.config import Config
from loaders.enrich import Step, StepOutcome
from loaders.trackers.lookup import Report, TrackerLookup, lookups, reset


class TrackerStep:
    def __init__(self, lookup: TrackerLookup) -> None:
        self.lookup = lookup
        self.name = f"tracker:{lookup.kind}"

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> StepOutcome:
        # Trackers change without the documents changing: asked on every sync.
        return _outcome(self.lookup.run(conn))


class ResetStep:
    name = "trackers"

    def run(self, conn: duckdb.DuckDBPyConnection, changed: bool) -> StepOutcome:
        return _outcome(reset(conn))


def tracker_steps(config: Config) -> list[Step]:
    steps: list[Step] = [TrackerStep(lookup) for lookup in lookups(config)]
    return steps or [ResetStep()]


def _outcome(report: Report) -> StepOutcome:
    return StepOutcome(report.message, status="partial" if report.partial else "ok")
