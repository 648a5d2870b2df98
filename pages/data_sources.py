"""Data & sources: the configured sources, the last sync of each, a sync button with
progress, the problems found per document, field coverage and post-mortem completeness."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from figures import charts
from loaders.config import Config, mixing
from loaders.store import is_file_store
from pages.ui import data, sidebar
from pages.ui.navigation import run_page
from pages.ui.syncing import sync_with_progress
from pages.ui.widgets import chart_block, table_block
from queries import quality

SECRET_HINTS = ("token", "password", "secret", "key")
SYNC_REQUESTED = "sync_requested"


def _request_sync() -> None:
    st.session_state[SYNC_REQUESTED] = True


def render() -> None:
    st.title("Data & sources")
    config, db = data.config(), data.store_path()
    view = sidebar.current_view()
    st.caption(
        f"Store: `{db}` (read-only here). Config: `{config.path or 'none: the bundled sample corpus'}`."
    )

    st.subheader("Sources in this store")
    held = data.call(quality.store_sources)
    table_block(held, "store-sources", empty="No source has been synced into this store yet.")

    st.subheader("Sources the config names")
    sources = [{"source": s.name, "kind": s.kind,
                "settings": ", ".join(f"{k}={v}" for k, v in sorted(s.options.items())
                                      if not any(h in k.lower() and not k.lower().endswith("_env")
                                                 for h in SECRET_HINTS))}
               for s in config.sources]  # fmt: skip
    table_block(pd.DataFrame(sources, columns=["source", "kind", "settings"]), "sources",
                empty="No source is configured.")  # fmt: skip
    reason = mixing(db, config, [c.name for c in config.sources], held["source"].tolist())
    if reason:  # a sync from here would put other sources into this store
        st.warning(f"**Sync now is off for this store.** {reason}", icon=":material/block:")
    else:
        render_sync_button(config, db)

    st.subheader("Last sync per source")
    table_block(data.table("sync-status", view), "sync-status",
                empty="No sync has run on this store yet.")  # fmt: skip

    st.subheader("Trackers")
    table_block(data.table("trackers", view), "trackers",
                empty="No tracker connected: see 'Connect GitHub' and 'Connect Jira' in the "
                      "README.")  # fmt: skip

    st.subheader("Problems per document (last sync)")
    table_block(data.table("load-errors", view), "load-errors",
                empty="The last sync of every source read every document without a problem.")  # fmt: skip

    st.subheader("Field coverage by source")
    table_block(data.table("coverage", view), "coverage")
    st.caption("Share of the selected post-mortems that state each field.")
    st.subheader("Field coverage by basis")
    table_block(data.table("coverage-by-basis", view), "coverage-by-basis")
    st.caption(
        "Per field, the share of the selected post-mortems whose value a document states, a "
        "catalog service the text mentions, the taxonomy infers, or a person curated "
        "(the curation file, Triage), and the share with none. Mentioned and inferred "
        "values count whatever the sidebar switch says."
    )

    st.subheader("Post-mortem completeness")
    sections = data.table("completeness", view)
    figure = (
        charts.horizontal_bars(
            # The sections in words on the axis ("root cause"); the table keeps their names.
            sections.assign(section=sections["section"].str.replace("_", " ")),
            label="section",
            value="share",
            title="share of post-mortems",
        )
        if not sections.empty
        else None
    )
    if figure is not None:
        figure.update_xaxes(tickformat=".0%", range=[0, 1])
    chart_block(figure, sections, "completeness",
                caption="Which of the six sections of a blameless post-mortem each document has.")  # fmt: skip
    table_block(data.first_rows("completeness-by-document", view), "completeness-by-document",
                height=360, opens="incident_id")  # fmt: skip


def render_sync_button(config: Config, db: str) -> None:
    if not is_file_store(db):
        st.info(
            "This store is not a file, so syncing from here would not reach it: run `pmdash sync`."
        )
        return
    # The click is recorded by a callback, which Streamlit runs before the script: a button's
    # own return value would be lost if this run hands over out of the legacy multipage mode.
    st.button("Sync now", icon=":material/sync:", key="sync", on_click=_request_sync)
    if not st.session_state.pop(SYNC_REQUESTED, False):
        return
    sync_with_progress(config, db)


if __name__ == "__main__":
    run_page(render)
