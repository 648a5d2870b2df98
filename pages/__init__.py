"""The dashboard's screens (SPEC §7), one module per page, each with a `render()`.

Streamlit treats every .py file directly in this folder as a page of its legacy multipage
mode, so shared helpers live in `pages/ui/`, which it does not scan.
"""
