"""Syncing from the dashboard: the one safe path the sync button and the Triage page's Save
both take. The sync runs in this process through the same `loaders.sync.sync` as
`pmdash sync`, so it writes a copy of the store and swaps it in (readers never see half a
sync) and waits for, then refuses, a sync already running; progress shows as it goes.
"""

from __future__ import annotations

import streamlit as st

from loaders.config import Config
from loaders.enrich import steps_for
from loaders.model import ConfigError, SourceError
from loaders.sync import build_source, sync


def sync_with_progress(config: Config, db: str) -> bool:
    """Sync every configured source and the enrichment steps; True when nothing failed."""
    with st.status("Syncing…", expanded=True) as status:
        line = st.empty()

        def progress(source_name: str, seen: int) -> None:
            line.text(f"{source_name}: {seen} documents read")

        try:
            sources = [build_source(s, config) for s in config.sources]
            results = sync(db, sources, progress, steps_for(config))
        except (ConfigError, SourceError) as e:
            title = getattr(e, "title", "The sync could not start")
            status.update(label="Sync failed", state="error")
            st.error(f"**{title}**\n\n{e}")
            return False
        for result in results:
            st.text(result.summary())
        failed = any(r.status == "failed" for r in results)
        status.update(label="Sync failed for a source" if failed else "Sync done",
                      state="error" if failed else "complete")  # fmt: skip
        return not failed
