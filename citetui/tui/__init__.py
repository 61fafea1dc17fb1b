"""The Textual layer of citetui: a thin UI over the store and the search engine."""
