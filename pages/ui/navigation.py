"""The list of pages, and the hand-over out of Streamlit's legacy multipage mode.

With a `pages/` folder beside the entry script, a freshly started Streamlit server runs in
its legacy multipage mode until `st.navigation` has been called once in the process. In
that mode a deep link such as `/recurrence?severity=SEV1` runs `pages/recurrence.py` on its
own, without `dashboard.py`'s frame, and a first request to `/` runs `dashboard.py` nested
inside a legacy page, whose widgets then get other ids than in later runs (so the sidebar
filters would reset on the first page switch).

`hand_over()` fixes both: it calls `st.navigation` with the real pages, which switches the
process out of legacy mode for good, then reruns. The rerun keeps the URL (page and query
parameters) and runs `dashboard.py` the normal way, which draws the frame and runs the
page. A page file knows it runs inside the frame because `dashboard.py` marks the page run
(`framed()`); run any other way, it hands over. `dashboard.py` hands over while Streamlit
still reports the legacy mode. tests/test_browser.py opens every page by its URL on a fresh
server to prove both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.navigation.page import StreamlitPage

# url_path must equal the file name: Streamlit names legacy pages after their files, and a
# page keeps its identity (and the URL keeps working) across the hand-over only if the two
# names agree.
PAGES = (
    ("overview", "Overview", ":material/dashboard:"),
    ("recurrence", "Recurrence", ":material/repeat:"),
    ("action_items", "Action items", ":material/task_alt:"),
    ("quarterly_review", "Quarterly review", ":material/event_note:"),
    ("incidents", "Incidents", ":material/list_alt:"),
    ("data_sources", "Data & sources", ":material/database:"),
    ("triage", "Triage", ":material/rule:"),
)


def app_pages() -> list[StreamlitPage]:
    (home, home_title, home_icon), *others = PAGES
    # The default page is served at `/` but still reserves a pathname; it reserves `home`
    # so that a hidden alias can answer `/overview?…` links (and legacy-mode deep links).
    return [
        st.Page(
            f"pages/{home}.py", title=home_title, icon=home_icon, url_path="home", default=True
        ),
        *(st.Page(f"pages/{n}.py", title=t, icon=i, url_path=n) for n, t, i in others),
        st.Page(f"pages/{home}.py", title=home_title, url_path=home, visibility="hidden"),
    ]


_page_run = threading.local()


@contextmanager
def framed() -> Iterator[None]:
    """Mark the page run that `dashboard.py` starts after drawing the frame."""
    _page_run.framed = True
    try:
        yield
    finally:
        _page_run.framed = False


def run_page(render: Callable[[], None]) -> None:
    """What a page file does when Streamlit runs it: render inside the frame, else hand over."""
    if getattr(_page_run, "framed", False):
        render()
    else:
        hand_over()


def in_legacy_multipage_mode() -> bool:
    # Streamlit keeps this process-wide flag on PagesManager: True until st.navigation runs.
    from streamlit.runtime.pages_manager import PagesManager

    return getattr(PagesManager, "uses_pages_directory", False) is True


def hand_over() -> None:
    """Leave the legacy multipage mode and rerun the entry script on the requested page."""
    st.navigation(app_pages(), position="hidden")
    st.rerun()
