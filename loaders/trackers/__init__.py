"""What Jira and GitHub say about the tickets of action items (SPEC §4.4)."""
