"""cvcm-rules."""

__version__ = "0.1.0"
