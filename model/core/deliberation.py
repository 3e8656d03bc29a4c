"""Deliberation: bounded-confidence opinion exchange (Hegselmann & Krause 2002), the IGF pull, the chair's text."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def hk_step(opinions: ArrayLike, epsilon: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """One synchronous Hegselmann–Krause update, vectorised.

    x_i' = Σ_{j ∈ N_i} w_j x_j / Σ_{j ∈ N_i} w_j,  N_i = {j : x_i − ε_i ≤ x_j ≤ x_i + ε_i}

    Each actor averages the opinions within its confidence bound ε_i (a scalar or one per
    actor), each weighted by that actor's influence w_j (default 1; in the model,
    expertise × preparation). An actor whose neighbourhood carries no weight keeps its view.
    Opinions are one-dimensional, so every neighbourhood is a contiguous run of the sorted
    opinions: prefix sums over the sorted order give all n averages in O(n log n) instead
    of the O(n²) pairwise matrix.
    """
    x = np.asarray(opinions, dtype=float)
    eps = np.asarray(epsilon, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    cw, cwx = np.zeros(x.size + 1), np.zeros(x.size + 1)  # prefix sums, 0 first
    np.cumsum(ws, out=cw[1:])
    np.cumsum(ws * xs, out=cwx[1:])
    lo = xs.searchsorted(x - eps, side="left")
    hi = xs.searchsorted(x + eps, side="right")
    den = cw[hi] - cw[lo]
    num = cwx[hi] - cwx[lo]
    ok = den > 1e-12 * max(1.0, float(cw[-1]))
    return np.where(ok, num / np.where(ok, den, 1.0), x)


def igf_pull(opinions: np.ndarray, message: float, strength: float) -> np.ndarray:
    """Structured IGF feedback: move every view a share ``strength`` toward what the IGF session concluded."""
    return opinions + strength * (message - opinions)


def draft(views: np.ndarray, weights: np.ndarray) -> float:
    """The chair's text: Σ w_i x_i / Σ w_i, the influence-weighted mean view of those in the room (the plain
    mean if nobody carries weight). Every participant's view moves it in proportion to its weight."""
    total = float(weights.sum())
    if total <= 0:
        return float(np.mean(views))
    return float(weights @ views / total)
