"""The core: models, vocabularies, identifiers, text safety and the query syntax.

It imports nothing else of citetui, so every other layer may use it."""
