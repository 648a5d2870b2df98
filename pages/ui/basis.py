"""The basis mix beside charts that count services or categories (SPEC §7): how many of the
values were stated, mentioned, inferred or curated, and which ones the sidebar switch leaves
out, so a chart filled by inference never passes for one filled by the documents."""

from __future__ import annotations

from pages.ui import data
from queries.incidents import describe_mix
from queries.tables import View

LABELS = {"service": "Services", "category": "Categories"}


def mix_caption(view: View, *fields: str) -> str:
    """`Services: 3 stated, 21 mentioned. Categories: 12 inferred.` for the given fields."""
    mix = data.table("basis-mix", view)
    return " ".join(
        f"{LABELS[f]}: {describe_mix(mix, f, view.filters.bases)}." for f in fields or LABELS
    )
