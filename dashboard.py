"""pmdash dashboard: the Streamlit entry script. It frames and routes; pages render.

`streamlit run dashboard.py` (or `pmdash serve`). The frame is the page config, the
navigation over pages/, and the global filters in the sidebar, drawn here so they keep
their values and their URL parameters on every page, and the incident panel that a click on
any incident (or a link with `?incident=ID`) opens over any page. Why the legacy-mode check
comes first: see pages/ui/navigation.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this folder on sys.path; AppTest and `pmdash serve` from elsewhere may not.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st

from loaders.model import ConfigError
from loaders.store import StoreError
from pages.ui import incident_detail, navigation, sidebar

st.set_page_config(page_title="pmdash", page_icon=":material/healing:", layout="wide")

if navigation.in_legacy_multipage_mode():
    navigation.hand_over()

page = st.navigation(navigation.app_pages())
try:
    sidebar.render_filters()
    with navigation.framed():
        page.run()
    # After the page, so a click on any of its tables has named the incident in the URL by now.
    incident_detail.show_requested(sidebar.current_view())
except ConfigError as e:
    st.error(f"**The configuration could not be read**\n\n{e}")
except StoreError as e:  # one page that says what is wrong, which file, and the fix
    st.title(e.title)
    st.error(f"{e.detail[:1].upper()}{e.detail[1:]}\n\nStore: `{e.db}`", icon=":material/database:")
    st.markdown(f"**To fix it:** {e.fix}")
