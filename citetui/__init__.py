"""citetui: a keyboard-driven terminal browser for citation hubs."""

__version__ = "0.1.0"
