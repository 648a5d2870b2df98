"""Post-mortem pages in a Confluence space, read through atlassian-python-api (SPEC §4.3)."""
