"""netgov: an agent-based simulation of networked internet governance."""

__version__ = "0.1.0"
