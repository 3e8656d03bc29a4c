"""Readable references that the fast kernels are checked and benchmarked against (test code, not shipped)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def hk_step_loop(opinions: ArrayLike, epsilon: ArrayLike, weights: ArrayLike | None = None) -> np.ndarray:
    """``netgov.model.core.deliberation.hk_step`` written one actor at a time."""
    x = np.asarray(opinions, dtype=float)
    eps = np.broadcast_to(np.asarray(epsilon, dtype=float), x.shape)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    out = np.empty_like(x)
    for i in range(x.size):
        num = den = 0.0
        for j in range(x.size):
            if x[i] - eps[i] <= x[j] <= x[i] + eps[i]:
                num += w[j] * x[j]
                den += w[j]
        out[i] = num / den if den > 0 else x[i]
    return out
