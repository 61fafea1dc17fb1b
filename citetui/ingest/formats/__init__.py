"""One module per input format, each a thin mapping from the file's records to the store's writer."""
