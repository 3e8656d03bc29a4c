"""Choices: decisions that people outside the model take for some of its actors (``netgov room``: a room of
people playing the delegations).

The model asks at the three moments where an actor decides: who comes to a meeting, what the participants
put forward in deliberation, and how they vote on the text. It passes what its own actors would do and
gets back what is done. :data:`NOBODY`, the default, never chooses: a run with it is the same run as
without it, because the model's draws are made before it is asked and it makes none of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Choices:
    """Where someone else may decide for some actors; this base decides for none (every call returns the
    model's own behaviour). ``issue`` is the :class:`netgov.model.issues.Issue` in question."""

    def attend(
        self, issue: Any, onsite: np.ndarray, remote: np.ndarray, eligible: np.ndarray, cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who comes onsite and who remotely (masks over all actors), given the model's masks, who may come
        (``eligible``) and each actor's travel cost to this meeting (``cost``)."""
        return onsite, remote

    def speak(self, issue: Any, opinions: np.ndarray, acceptance: np.ndarray) -> np.ndarray:
        """What each participant puts forward this month of deliberation (one value per participant), given
        their current views and how far from them each would accept a text."""
        return opinions

    def vote(self, issue: Any, proposal: float, votes: np.ndarray) -> np.ndarray:
        """Each participant's yes on the text ``proposal`` (a mask), given the model's own votes."""
        return votes


#: Nobody chooses: the model's own behaviour throughout.
NOBODY = Choices()
