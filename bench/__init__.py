"""pmdash benchmarks (SPEC §9): each target measured as a ratio within one run."""
