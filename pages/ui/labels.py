"""How every table of the dashboard reads: one label and one format per column name.

Queries name their columns for machines (`time_to_recover_minutes`, `incident_date`); this
module is the one place that says how a person reads each of them: "Time to recover" as
"1 hr, 5 min", dates as dates, shares as percentages, severity and action-item status as
coloured labels, ids hidden, and a post-mortem's title first with its link beside it (no
link column at all when no row has a link). `widgets.table_block` and `widgets.chart_block`
apply it to every table, so a page never configures a column by hand.

CSV headers stay the machine names, on purpose: a download is the same file as
`pmdash export NAME` (queries/tables.py), whose headers are the store's and the queries'
stable column names that scripts, spreadsheets with lookups and the quarterly pack rely on,
and that the README documents. A label may be reworded; a CSV header may not. Ids are
hidden on screen (they are long and say nothing to a reader) but stay in the CSV, where
they join a download back to the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from figures import charts
from queries.filters import UNRATED

# Kinds of column, each with one look:
# id: hidden; title: the row's name, first; link: an icon beside the column it belongs to;
# date, datetime; minutes: a duration; days; percent (a 0-1 share); count; number;
# severity, status: coloured labels; names: a comma-separated list shown as tags;
# flag: a tick box; text.


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: str = "text"
    help: str | None = None


COLUMNS: dict[str, Column] = {
    # Incidents
    "incident_id": Column("Incident id", "id"),
    "earlier_incident_id": Column("Earlier incident id", "id"),
    "similar_incident_id": Column("Similar incident id", "id"),
    "action_item_id": Column("Action item id", "id"),
    "title": Column("Title", "title"),
    "incident_title": Column("Incident", "title"),
    "earlier_title": Column("Earlier incident"),
    "url": Column("Open", "link", "Open the post-mortem where it is written."),
    "incident_url": Column("Open", "link", "Open the post-mortem where it is written."),
    "incident_date": Column("Date", "date"),
    "earlier_date": Column("Earlier date", "date"),
    "severity": Column("Severity", "severity"),
    "services": Column("Services", "names"),
    "categories": Column("Categories", "names"),
    "service": Column("Service"),
    "category": Column("Category"),
    "service_category": Column("Service × category"),
    "value": Column("Value"),
    "kind": Column("Kind"),
    "source": Column("Source"),
    "time_to_detect_minutes": Column("Time to detect", "minutes"),
    "time_to_recover_minutes": Column("Time to recover", "minutes"),
    "median_minutes": Column("Median", "minutes"),
    "p90_minutes": Column("p90", "minutes", "90% of the incidents took at most this long."),
    "shared": Column("Shared", "names", "The service or category both incidents name."),
    "days_after": Column("Days after", "count", "Negative: this one began before."),
    "similarity": Column("Similarity", "percent"),
    "shared_terms": Column("Shared terms", "names"),
    "group_last_date": Column("Group's latest", "date", "The date of the group's newest incident."),
    "similar_to": Column("Similar to", "count", "How many incidents of the group it is similar to."),
    "best_similarity": Column("Best match", "percent", "Its similarity to the incident most like it."),
    "similar": Column("Group of similar incidents"),
    "theme": Column("Theme"),
    "theme_incidents": Column("Incidents in theme", "count"),
    "weight": Column("Closeness", "percent", "How close the incident sits to the theme."),
    "team": Column("Team"),
    # Counts and rates
    "incidents": Column("Incidents", "count"),
    "repeats": Column("Repeats", "count"),
    "repeat_rate": Column("Repeat rate", "percent"),
    "share_of_incidents": Column("Share of incidents", "percent"),
    "most_in_one_window": Column("Most in one window", "count"),
    "first_date": Column("First", "date"),
    "last_date": Column("Last", "date"),
    "period": Column("Period"),
    "period_start": Column("Period start", "date"),
    "quarter": Column("Quarter"),
    # Action items
    "action_items": Column("Action items", "count"),
    "action_items_done": Column("Done", "count"),
    "items": Column("Items", "count"),
    "opened": Column("Opened", "count"),
    "closed": Column("Closed", "count"),
    "done": Column("Done", "count"),
    "open": Column("Open", "count"),
    "in_progress": Column("In progress", "count"),
    "wont_do": Column("Won't do", "count"),
    "unknown": Column("Unknown", "count", "The document gives no status."),
    "overdue": Column("Overdue", "count"),
    "position": Column("#", "count"),
    "owner": Column("Owner"),
    "due_date": Column("Due", "date"),
    "days_overdue": Column("Days overdue", "count"),
    "status": Column("Status", "status"),
    "status_raw": Column("Status as written"),
    "status_basis": Column("Status from", help="Where the status was read: a field, a "
                           "checkbox, a marker, an emoji, a heading, the tracker, or none."),
    "closed_date": Column("Closed", "date"),
    "opened_date": Column("Opened", "date"),
    "created_date_stated": Column("Opened date stated", "flag"),
    "is_overdue": Column("Overdue", "flag"),
    "ticket": Column("Ticket"),
    "ticket_url": Column("Open ticket", "link", "Open the ticket in its tracker."),
    "items_not_done": Column("Items not done", "count"),
    "items_not_done_titles": Column("Items not done then"),
    "closure_rate": Column("Closure rate", "percent",
                           "done / (done + open + in progress)"),
    "wont_do_share": Column("Won't do", "percent"),
    "unknown_share": Column("Status unknown", "percent"),
    "on_time_rate": Column("On time", "percent"),
    "done_with_both_dates": Column("Done with both dates", "count"),
    "with_owner": Column("With owner", "percent"),
    "with_due_date": Column("With due date", "percent"),
    "with_ticket": Column("With ticket", "percent"),
    "vague": Column("Vague", "percent"),
    "reason": Column("Why vague"),
    "age_bucket": Column("Age"),
    "median_days": Column("Median (days)", "number"),
    "p90_days": Column("p90 (days)", "number"),
    "n": Column("n", "count"),
    "small_n": Column("Few", "flag", "Fewer than 5: read the median and p90 with care."),
    "group": Column("Group"),
    "measure": Column("Measure"),
    # Trackers (SPEC §4.4): drift, Fix held?, the panel on Data & sources
    "drift": Column("Drift"),
    "tracker": Column("Tracker"),
    "document_status": Column("Document says", "status"),
    "tracker_status": Column("Tracker says", "status"),
    "checked_on": Column("Asked on", "date"),
    "fixed_on": Column("Last item closed", "date"),
    "held": Column("Fix held?", help="no: the same kind of incident struck again within the "
                   "window after the last item closed; so far: the window is still open."),
    "struck_again_by": Column("Struck again by"),
    "repeat_title": Column("Repeat"),
    "repeat_date": Column("Repeat date", "date"),
    "last_look_up": Column("Last look-up", "datetime"),
    "tickets": Column("Tickets", "count"),
    "found": Column("Found", "count"),
    "not_found": Column("Not found", "count"),
    "forbidden": Column("Forbidden", "count"),
    "not_checked": Column("Not checked", "count"),
    "asked": Column("Asked", "count", "Tickets asked about on the last sync; the rest were "
                    "closed or unchanged since they were last asked."),
    "requests": Column("Requests", "count"),
    "last_sync": Column("Last sync"),
    "problem": Column("Problem"),
    "resets_at": Column("Limit resets", "datetime"),
    # Data & sources
    "document": Column("Document"),
    "message": Column("Message"),
    "started_at": Column("Started", "datetime"),
    "finished_at": Column("Finished", "datetime"),
    "last_synced": Column("Last synced", "datetime"),
    "documents_seen": Column("Seen", "count"),
    "documents_loaded": Column("Loaded", "count"),
    "documents_unchanged": Column("Unchanged", "count"),
    "documents_skipped": Column("Skipped", "count"),
    "documents_failed": Column("Failed", "count"),
    "incidents_stored": Column("Incidents stored", "count"),
    "with_date": Column("With date", "percent"),
    "with_severity": Column("With severity", "percent"),
    "with_service": Column("With service", "percent"),
    "with_category": Column("With category", "percent"),
    "stated": Column("Stated", "percent", "The document states it."),
    "mentioned": Column("Mentioned", "percent", "A service of the catalog the text mentions."),
    "inferred": Column("Inferred", "percent", "A category of the taxonomy the text implies."),
    "curated": Column("Curated", "percent", "A person set it (the curation file, Triage)."),
    "missing": Column("Not found", "percent", "No document states it and nothing implies it."),
    "services_basis": Column("Services from", help="How the services were found."),
    "categories_basis": Column("Categories from", help="How the categories were found."),
    "section": Column("Section"),
    "documents_with": Column("Documents with it", "count"),
    "documents": Column("Documents", "count"),
    "share": Column("Share", "percent"),
    "sections_present": Column("Sections", "count", "How many of the six sections it has."),
    "sections_missing": Column("Missing sections"),
    "settings": Column("Settings"),
    # KPI tables and one incident's fields
    "metric": Column("Metric"),
    "previous": Column("Previous"),
    "change": Column("Change"),
    "previous_period": Column("Previous period"),
    "previous_quarter": Column("Previous quarter"),
    "note": Column("Note"),
    "field": Column("Field"),
    "found_in": Column("Found in"),
    "present": Column("Present", "flag"),
}  # fmt: skip

# A link column sits right after the column it opens.
LINK_OF = {"url": "title", "incident_url": "incident_title", "ticket_url": "ticket"}
STATUS_LABELS = charts.STATUS_LABELS  # the charts' legends use the same words
PLACEHOLDER = "—"  # what an empty cell shows: the document does not say


def label(name: str) -> str:
    """The human label of a column (unknown names: the name in words)."""
    column = COLUMNS.get(name)
    return column.label if column else name.replace("_", " ").capitalize()


def kind(name: str) -> str:
    column = COLUMNS.get(name)
    return column.kind if column else "text"


def column_order(frame: pd.DataFrame) -> list[str]:
    """Title first, each link right after what it opens; ids and empty link columns left out."""
    shown = [
        c
        for c in frame.columns
        if kind(c) != "id" and not (kind(c) == "link" and frame[c].isna().all())
    ]
    titles = [c for c in shown if kind(c) == "title"][:1]
    order = titles + [c for c in shown if c not in titles]
    for link, owner in LINK_OF.items():
        if link in order and owner in order:
            order.remove(link)
            order.insert(order.index(owner) + 1, link)
    return order


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the table shows it: minutes become durations (sortable, shown in words),
    shares whole percentages ("78%", as the tiles and the report write them, not "77.78%").
    The CSV is made from the frame as the query gave it, not from this copy."""
    numeric = [c for c in frame.columns if is_numeric_dtype(frame[c])]
    changed = {c: pd.to_timedelta(frame[c], unit="min") for c in numeric if kind(c) == "minutes"}
    changed |= {c: frame[c].round(2) for c in numeric if kind(c) == "percent"}
    return frame.assign(**changed) if changed else frame


def column_config(frame: pd.DataFrame, severity_levels: tuple[str, ...]) -> dict[str, Any]:
    """The column_config of `st.dataframe` for this frame: labels, formats, coloured labels."""
    config: dict[str, Any] = {}
    for name in frame.columns:
        spec = COLUMNS.get(name, Column(label(name)))
        config[name] = _build(spec, frame[name], severity_levels)  # None hides the column
    return config


def _build(spec: Column, series: pd.Series, severity_levels: tuple[str, ...]) -> Any:
    cc = st.column_config
    common: dict[str, Any] = {"help": spec.help}
    match spec.kind:
        case "id":
            return None
        case "title":
            return cc.TextColumn(spec.label, pinned=True, width="large", **common)
        case "link":
            return cc.LinkColumn(spec.label, display_text=":material/open_in_new:",
                                 width="small", **common)  # fmt: skip
        case "date" if is_datetime64_any_dtype(series):
            return cc.DateColumn(spec.label, format="D MMM YYYY", **common)
        case "datetime" if is_datetime64_any_dtype(series):
            return cc.DatetimeColumn(spec.label, format="D MMM YYYY, HH:mm", **common)
        case "minutes":
            # A duration column in the browser's words: "1 hr, 5 min".
            return cc.NumberColumn(spec.label, format="localized", **common)
        case "percent" if is_numeric_dtype(series):
            return cc.NumberColumn(spec.label, format="percent", **common)
        case "count" if is_numeric_dtype(series):
            return cc.NumberColumn(spec.label, format="localized", **common)
        case "number" if is_numeric_dtype(series):
            return cc.NumberColumn(spec.label, format="%.1f", **common)
        case "severity" if _within(series, (*severity_levels, UNRATED)):
            colours = charts.severity_colours(severity_levels, [UNRATED])
            return cc.MultiselectColumn(spec.label, options=list(colours),
                                        color=list(colours.values()), **common)  # fmt: skip
        case "status" if _within(series, charts.STATUS_ORDER):
            return cc.MultiselectColumn(
                spec.label,
                options=charts.STATUS_ORDER,
                color=[charts.STATUS_COLOURS[s] for s in charts.STATUS_ORDER],
                format_func=lambda s: STATUS_LABELS.get(s, s),
                **common,
            )
        case "names":
            return cc.MultiselectColumn(spec.label, **common)
        case "flag":
            return cc.CheckboxColumn(spec.label, **common)
    return cc.TextColumn(spec.label, **common)


def _within(series: pd.Series, allowed: tuple[str, ...] | list[str]) -> bool:
    """Colour a label column only when every value has a colour: `severity` also names the
    level of a load error, `status` also an incident's or a sync's."""
    return set(series.dropna().unique()) <= set(allowed)
