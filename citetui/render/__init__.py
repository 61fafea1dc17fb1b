"""The hub page and its figures as plain text and JSON, for the CLI (no Textual)."""
