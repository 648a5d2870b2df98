"""pmdash loaders: read post-mortems from their sources into canonical records and DuckDB."""
