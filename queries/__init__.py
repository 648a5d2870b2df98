"""pmdash queries: the metrics of SPEC §6 over the DuckDB store, as DataFrames."""
