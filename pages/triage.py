"""Triage: the incidents a person still has to decide on (no severity, service or category,
or only mentioned / inferred ones) in an editable table. Save writes the changed fields to
the curation file and re-syncs through the same path as the sync button, so every chart
shows the decision at once. Only changed fields are written: a value left as pmdash found it
keeps following the documents, the catalog and the taxonomy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.enrich.curation import write_curation
from loaders.enrich.taxonomy import taxonomy_for
from loaders.model import KINDS
from loaders.store import is_file_store
from pages.ui import data, sidebar
from pages.ui.labels import label
from pages.ui.navigation import run_page
from pages.ui.syncing import sync_with_progress
from queries import triage

EDITOR = "triage_editor"
SAVE_REQUESTED = "triage_save_requested"
SAVED = "triage_saved"  # the message to show after the rerun that follows a save
READ_ONLY = ("incident_id", "title", "incident_date", "source", "services_basis",
             "categories_basis")  # fmt: skip
# What a person decides on first, beside the title; where the row comes from last.
ORDER = ("title", "severity", "services", "services_basis", "categories", "categories_basis",
         "kind", "incident_date", "source", "incident_id")  # fmt: skip


def _request_save() -> None:
    st.session_state[SAVE_REQUESTED] = True


def render() -> None:
    st.title("Triage")
    config, db = data.config(), data.store_path()
    view = sidebar.current_view()
    st.caption(
        "Post-mortems with no severity, service or category, or with services only mentioned "
        "and categories only inferred. Pick values and **Save**: the changed fields go to "
        f"`{config.curation_file}` (keep it in git), which wins over every other basis at "
        "every sync, and the store is synced again. The sidebar filters apply."
    )
    if SAVED in st.session_state:
        st.success(st.session_state.pop(SAVED), icon=":material/check_circle:")
    frame = data.call(triage.table, view.filters)
    if frame.empty:
        st.info("Nothing to triage: every selected post-mortem has a severity, and services "
                "and categories that are stated or curated.", icon=":material/done_all:")  # fmt: skip
        return
    offered = data.call(triage.choices)
    taxonomy = taxonomy_for(config.default_taxonomy, config.taxonomy)
    services = _options(offered, "service", frame["services"])
    categories = _options(offered, "category", frame["categories"], extra=taxonomy)
    edited = st.data_editor(
        frame,
        key=EDITOR,
        hide_index=True,
        placeholder="—",
        column_order=ORDER,
        disabled=list(READ_ONLY),
        # Headers from the one place every table takes them (pages/ui/labels.py).
        column_config={
            "title": st.column_config.TextColumn(label("title"), width="medium"),
            "severity": st.column_config.SelectboxColumn(
                label("severity"), options=list(config.severity_levels), width="small"
            ),
            "services": st.column_config.MultiselectColumn(
                label("services"), options=services, accept_new_options=True
            ),
            "categories": st.column_config.MultiselectColumn(
                label("categories"), options=categories, accept_new_options=True
            ),
            "kind": st.column_config.SelectboxColumn(label("kind"), options=list(KINDS)),
            "services_basis": st.column_config.TextColumn(label("services_basis")),
            "categories_basis": st.column_config.TextColumn(label("categories_basis")),
            "incident_date": st.column_config.DateColumn(
                label("incident_date"), format="D MMM YYYY"
            ),
            "source": st.column_config.TextColumn(label("source")),
            "incident_id": st.column_config.TextColumn(label("incident_id")),
        },
    )
    updates = triage.changes(frame.to_dict("records"), pd.DataFrame(edited).to_dict("records"))
    st.caption(f"{_count(len(updates))} changed and not saved yet." if updates else
               "No change yet: edit a severity, services, categories or kind.")  # fmt: skip
    st.button("Save", icon=":material/save:", key="triage_save", on_click=_request_save,
              disabled=not updates, type="primary")  # fmt: skip
    if not st.session_state.pop(SAVE_REQUESTED, False) or not updates:
        return
    if not is_file_store(db):
        st.info("This store is not a file, so saving here would not reach it: write the "
                "curation file and run `pmdash sync`.")  # fmt: skip
        return
    write_curation(config.curation_file, updates)
    if sync_with_progress(config, db):
        st.session_state[SAVED] = (
            f"Saved {_count(len(updates))} to {config.curation_file.name} and synced."
        )
        st.session_state.pop(EDITOR, None)  # the edits are in the store now
        st.rerun()


def _count(n: int) -> str:
    return f"{n} post-mortem" + ("" if n == 1 else "s")


def _options(
    offered: pd.DataFrame, field: str, current: pd.Series, extra: object = ()
) -> list[str]:
    values = set(offered.loc[offered["field"] == field, "value"])
    values |= {v for names in current for v in names}
    values |= set(extra)  # type: ignore[call-overload]
    return sorted(values)


if __name__ == "__main__":
    run_page(render)
