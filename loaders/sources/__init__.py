"""The document sources: a Git folder of Markdown, a Notion database, a Confluence space.
Each yields canonical records (loaders.model) for loaders.sync to store."""
