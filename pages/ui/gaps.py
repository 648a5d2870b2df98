"""Why a chart is empty when the documents leave a field out, with the numbers and what to do
("0 of 80 incidents name a service. To fill it: …"), and the default repeat dimension the
store's data supports."""

from __future__ import annotations

from pages.ui import data
from queries import incidents, recurrence
from queries.filters import BASES, Filters
from queries.tables import View

COUNTS = {
    "service": ("with_service", "name a service"),
    "category": ("with_category", "name a category"),
    "service_category": ("with_service_and_category", "name both a service and a category"),
    "duration": ("with_duration", "state a time to detect or to recover"),
    "similar": ("with_similar", "are similar to another incident"),
}
# What a user can do about a missing field (the config keys are described in the README).
HOW_TO_FILL = {
    "service": "list your services and their aliases under `[services.aliases]` in "
    "pmdash.toml, or point `[services] catalog` at your Backstage `catalog-info.yaml` files: "
    "the next sync finds the services each post-mortem mentions. A `Service:` line in a "
    "post-mortem states it outright",
    "category": "add phrases for your categories under `[categories.taxonomy]` in pmdash.toml "
    "(the next sync matches them in each post-mortem), or write a `Category:` line in the "
    "post-mortems",
    "duration": "write `Time to detection:` and `Time to recovery:` lines in the post-mortems",
    "similar": "lower `[recurrence] similarity` in pmdash.toml (the score two incidents' titles "
    "and texts must reach), or name services and categories so that repeats can be found by them",
}
HOW_TO_FILL["service_category"] = (
    f"for services, {HOW_TO_FILL['service']}; for categories, {HOW_TO_FILL['category']}"
)
for _field in ("service", "category", "service_category"):
    HOW_TO_FILL[_field] += ". Or set them one incident at a time on the **Triage** page"


def default_dimension() -> recurrence.DimensionChoice:
    """Over the whole store: the counts of the unfiltered view, which a page that opens
    unfiltered asks for anyway (cached once for both)."""
    return recurrence.choose_dimension(data.call(incidents.field_counts, Filters()))


def why_empty(view: View, field: str, chart: str = "") -> str:
    """`chart` (or a plain sentence), then how many selected incidents have `field`, and what
    to do when some lack it."""
    counts = data.call(incidents.field_counts, view.filters)
    column, verb = COUNTS[field]
    total, have = int(counts["incidents"]), int(counts[column])
    lead = chart or "Nothing to show for this selection."
    if total == 0:
        return f"{lead} No incident matches these filters."
    text = f"{lead} {have} of {total} incidents in this selection {verb}."
    return f"{text} {advice(view, field)}" if have < total else text


def advice(view: View, field: str) -> str:
    """What to do so that more incidents have `field`."""
    text = f"To fill it in: {HOW_TO_FILL[field]}."
    if field != "duration" and set(view.filters.bases or BASES) != set(BASES):
        text += " Mentioned and inferred values are switched off in the sidebar."
    return text
