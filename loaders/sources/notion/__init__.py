"""A Notion database of post-mortems, read through notion-client (SPEC §4.2)."""
