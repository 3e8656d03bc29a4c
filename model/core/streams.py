"""Common random numbers: one random stream per sub-model, and one per issue within it.

Every stream is spawned from a single root drawn from the model's ``rng``, so a seed fixes them
all. Two runs with the same seed then face the same agenda (arrival months, domains, salience,
complexity, stance types), the same stances, and the same participation draws for an issue
wherever their rules agree, however differently their institutions treat earlier issues: an issue's
draws come from its own stream, keyed by its id (and the venue), never from a position in a shared
sequence. Deliberation, the committee and votes are deterministic given what they are shown.
"""

from __future__ import annotations

import numpy as np

#: The sub-models that draw random numbers, in a fixed order (the stream's key).
STREAMS: tuple[str, ...] = (
    "actors",
    "agenda",
    "stances",
    "participation",
    "host",
    "scoping",
    "network",
    "loyalty",
    "positions",
)


class Streams:
    """Generators for the sub-models of one run, spawned from the model's ``rng``."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.root = int(rng.integers(2**63))  # the one draw from the model's own generator

    def _seed(self, name: str, *key: int) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.root, STREAMS.index(name), *key])

    def stream(self, name: str) -> np.random.Generator:
        """The generator of a sub-model that draws in sequence (the actor table, the monthly arrivals)."""
        return np.random.default_rng(self._seed(name))

    def issue(self, name: str, issue_id: int, *key: int) -> np.random.Generator:
        """A sub-model's generator for one issue (and, with ``key``, one venue's meeting on it)."""
        return np.random.default_rng(self._seed(name, issue_id, *key))


__all__ = ["STREAMS", "Streams"]
