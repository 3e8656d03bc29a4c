"""The Hegselmann–Krause kernel.

Hegselmann, R. & Krause, U. (2002). Opinion dynamics and bounded confidence: models,
analysis and simulation. JASSS 5(3), 2. With opinions spread evenly over [0, 1], a
large confidence bound (ε = 0.25) drives everyone to one consensus; a small one
(ε = 0.05) freezes into several clusters, roughly 1/(2ε) of them.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import hk_step_loop

from netgov.model.core.deliberation import draft, hk_step


def run_hk(eps: float, n: int = 625, rounds: int = 60) -> np.ndarray:
    x = np.linspace(0.0, 1.0, n)
    for _ in range(rounds):
        x = hk_step(x, eps)
    return x


def clusters(x: np.ndarray, gap: float = 1e-3) -> int:
    s = np.sort(x)
    return int(1 + (np.diff(s) > gap).sum())


def test_large_epsilon_reaches_consensus() -> None:
    x = run_hk(0.25)
    assert clusters(x) == 1
    assert x.max() - x.min() < 1e-6
    assert x.mean() == pytest.approx(0.5, abs=1e-3)  # symmetric start, (nearly) symmetric end


def test_small_epsilon_leaves_several_clusters() -> None:
    k = clusters(run_hk(0.05))
    assert 4 <= k <= 12  # about 1/(2 eps) = 10


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=40),
    st.floats(0, 1),
    st.integers(0, 2**31 - 1),
)
def test_vectorised_equals_loop(values: list[float], eps_scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.array(values)
    eps = eps_scale * rng.random(x.size)  # per-actor bounds
    w = rng.random(x.size) * (rng.random(x.size) > 0.2)  # some actors carry no weight
    got = hk_step(x, eps, w)
    assert np.allclose(got, hk_step_loop(x, eps, w))
    assert got.min() >= x.min() - 1e-12 and got.max() <= x.max() + 1e-12


def test_weights_pull_toward_influential() -> None:
    x = np.array([0.4, 0.6])
    assert hk_step(x, 0.5, [3.0, 1.0]) == pytest.approx([0.45, 0.45])


def test_draft_is_the_influence_weighted_mean_by_hand() -> None:
    # (1 * 0.1 + 1 * 0.5 + 2 * 0.9) / 4 = 0.6
    assert draft(np.array([0.1, 0.5, 0.9]), np.array([1.0, 1.0, 2.0])) == pytest.approx(0.6)
    # nobody carries weight: the plain mean
    assert draft(np.array([0.2, 0.4]), np.array([0.0, 0.0])) == pytest.approx(0.3)
