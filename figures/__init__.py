"""Plotly figures drawn from query results, shared by the dashboard's pages and the HTML
quarterly report (queries/report_html.py).

A package of its own because both sides need it and neither may own it: `queries/` must not
import `pages/` (the report runs from the CLI, without Streamlit), and pages/ui held Streamlit
code. It imports plotly and pandas only, never Streamlit, the store or other pmdash code (an
import-linter contract in pyproject.toml).
"""
