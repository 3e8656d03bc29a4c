"""The one error type of bad input. Its own module, free of heavy imports, so the CLI can catch it
without loading the schema (pydantic, NumPy) just to print its help."""

from __future__ import annotations


class ConfigError(ValueError):
    """A bad scenario, parameter or value: its message is one line naming where, what and what is allowed."""

    def __init__(self, message: str) -> None:
        # keys, values and paths come from users and may hold line breaks: escape them, one line always
        super().__init__(str(message).replace("\r", "\\r").replace("\n", "\\n"))
