"""Speed of the core model (run with `make bench`; nothing here asserts a time).

- one step and one full run of the default scenario;
- a full run at 1x, 4x and 10x the default number of actors (cost should grow about linearly);
- `hk_step` on 2,000 participants against the per-agent Python loop computing the same thing.
"""

from __future__ import annotations

import numpy as np
import pytest
from reference import hk_step_loop

from netgov import GovernanceModel
from netgov.model.core.deliberation import hk_step


def test_default_one_step(benchmark) -> None:
    """One month of the default scenario, mid-run (issue networks active)."""
    model = GovernanceModel(rng=0)
    model.run_for(24)
    benchmark(model.step)


def test_default_full_run(benchmark) -> None:
    """Build and run the default scenario for its 60 months; extra_info gives the cost per actor-step."""
    actors = len(GovernanceModel(rng=0).agents)
    benchmark.pedantic(lambda: GovernanceModel(rng=0).run_for(60), rounds=5, iterations=1)
    benchmark.extra_info["us_per_actor_step"] = round(benchmark.stats.stats.median / (actors * 60) * 1e6, 3)


@pytest.mark.parametrize("months", [60, 240])
def test_cost_per_month_by_horizon(benchmark, months: int) -> None:
    """A default run of 60 and of 240 months: per-step metrics are incremental, so ms per month stays flat."""
    benchmark.pedantic(lambda: GovernanceModel(rng=0, steps=months).run_for(months), rounds=3, iterations=1)
    benchmark.extra_info["ms_per_month"] = round(benchmark.stats.stats.median / months * 1e3, 3)


@pytest.mark.parametrize("scale", [1, 4, 10])
def test_full_run_by_scale(benchmark, scale: int) -> None:
    """A 60-month run with `scale` times the default actors."""
    benchmark.extra_info["actors"] = len(GovernanceModel(rng=0, scale=scale).agents)
    benchmark.pedantic(lambda: GovernanceModel(rng=0, scale=scale).run_for(60), rounds=3, iterations=1)


@pytest.fixture(scope="module")
def opinions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random(2000), 0.1 + 0.2 * rng.random(2000), rng.random(2000)


def test_hk_step_vectorised_2000(benchmark, opinions) -> None:
    x, eps, w = opinions
    benchmark(hk_step, x, eps, w)


def test_hk_step_python_loop_2000(benchmark, opinions) -> None:
    x, eps, w = opinions
    benchmark.pedantic(hk_step_loop, args=(x, eps, w), rounds=2, iterations=1)
