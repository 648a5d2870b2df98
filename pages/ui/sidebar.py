"""The global filters in the sidebar, kept in the URL so a view can be shared.

Every filter widget is bound to a query parameter named after its key (`?severity=SEV1
&service=api&since=2026-07-01`). The widgets live in the entry script, so they are drawn on
every page and keep their values, and the URL keeps its parameters, across page switches.
Pages read the current selection with `current_view()`.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from loaders.model import KINDS
from pages.ui import data, gaps
from queries import incidents
from queries.filters import BASES, DEFAULT_KINDS, DIMENSIONS, FIRM_BASES, Filters
from queries.tables import View

# Bound widgets write the option's text into the URL, so options are the short stable names
# (`kind=drill`, `dim=service_category`), never display labels.


def render_filters() -> None:
    options = data.call(incidents.filter_options)
    if options.empty:
        st.info(
            f"The store `{data.store_path()}` holds no post-mortems yet. Load them with "
            f"**Sync now** on Data & sources, or `pmdash sync --db {data.store_path()}` in a "
            "terminal.",
            icon=":material/info:",
        )
    values = {f: options.loc[options["filter"] == f, "value"].tolist() for f in ("severity", "service", "category", "source")}  # fmt: skip
    bar = st.sidebar
    bar.header("Filters")
    since, until = bar.columns(2)
    since.date_input("From", value=None, key="since", bind="query-params", format="YYYY-MM-DD")
    until.date_input("To", value=None, key="until", bind="query-params", format="YYYY-MM-DD")
    bar.caption("Post-mortems without a date show only while both dates are empty.")
    bar.multiselect("Severity", values["severity"], key="severity", bind="query-params",
                    placeholder="All severities")  # fmt: skip
    bar.multiselect("Services", values["service"], key="service", bind="query-params",
                    placeholder="All services")  # fmt: skip
    bar.multiselect("Categories", values["category"], key="category", bind="query-params",
                    placeholder="All categories")  # fmt: skip
    bar.toggle("Count mentioned and inferred", value=True, key="guesses", bind="query-params",
               help="Services a catalog names in the text and categories the taxonomy "
                    "suggests count in charts and tables. Off: only what the documents "
                    "state or a person curated (Triage).")  # fmt: skip
    bar.multiselect("Sources", values["source"], key="source", bind="query-params",
                    placeholder="All sources")  # fmt: skip
    bar.multiselect("Kind", KINDS, default=list(DEFAULT_KINDS), key="kind", bind="query-params",
                    help="Drills and near misses are left out unless chosen here. A "
                         "post-mortem that does not say its kind counts as an incident.")  # fmt: skip
    default = gaps.default_dimension()
    bar.selectbox("Repeat = same …", DIMENSIONS, index=DIMENSIONS.index(default.dim), key="dim",
                  bind="query-params",
                  help="What two incidents must share for the later one to count as a "
                       "repeat (Overview, Recurrence, Quarterly review). The default follows "
                       f"the data: {default.dim}, as {default.reason}.")  # fmt: skip


def current_filters() -> Filters:
    state = st.session_state
    return Filters(
        start=_day(state.get("since")),
        end=_day(state.get("until")),
        severities=tuple(state.get("severity") or ()),
        services=tuple(state.get("service") or ()),
        categories=tuple(state.get("category") or ()),
        sources=tuple(state.get("source") or ()),
        # Choosing no kind at all would show nothing; treat it like the default instead.
        kinds=tuple(state.get("kind") or DEFAULT_KINDS),
        bases=BASES if state.get("guesses", True) else FIRM_BASES,
    )


def _day(value: object) -> date | None:
    return value if isinstance(value, date) else None


def current_view(**settings: object) -> View:
    """The sidebar's selection plus the recurrence settings of the config, as a View."""
    config = data.config()
    return View(
        today=data.today(),
        filters=current_filters(),
        dim=st.session_state.get("dim") or gaps.default_dimension().dim,
        window_days=config.window_days,
        threshold=config.threshold,
        **settings,  # type: ignore[arg-type]
    )
