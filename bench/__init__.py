"""The search and import benchmark (see bench/README.md)."""
