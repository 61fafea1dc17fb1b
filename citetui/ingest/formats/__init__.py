"""One module per input format: each maps a file's records onto the store's writer."""
