"""Deliberation: bounded-confidence opinion exchange (Hegselmann & Krause 2002) and the IGF pull."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def hk_step(opinions: ArrayLike, epsilon: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """One synchronous Hegselmann–Krause update, vectorised.

    x_i' = Σ_{j : |x_i − x_j| ≤ ε_i} w_j x_j / Σ_{j : |x_i − x_j| ≤ ε_i} w_j

    Each actor averages the opinions within its confidence bound ε_i (a scalar or one per
    actor), each weighted by that actor's influence w_j (default 1; in the model,
    expertise × preparation). An actor whose neighbourhood carries no weight keeps its view.
    """
    x = np.asarray(opinions, dtype=float)
    eps = np.broadcast_to(np.asarray(epsilon, dtype=float), x.shape)
    near = np.abs(x[:, None] - x[None, :]) <= eps[:, None]
    w = near.astype(float) if weights is None else near * np.asarray(weights, dtype=float)[None, :]
    den = w.sum(axis=1)
    num = w @ x
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), x)


def igf_pull(opinions: np.ndarray, audience_mean: float, strength: float) -> np.ndarray:
    """Structured IGF feedback: move every view a share ``strength`` toward the wider audience's mean."""
    return opinions + strength * (audience_mean - opinions)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The proposal a network votes on: the weighted median view (the 1-D Condorcet point)."""
    order = np.argsort(values, kind="stable")
    v = values[order]
    cw = np.cumsum(weights[order])
    if cw[-1] <= 0:
        return float(np.median(values))
    return float(v[np.searchsorted(cw, 0.5 * cw[-1])])
