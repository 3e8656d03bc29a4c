"""The friendly Python API: ``from netgov import run, compare`` (and ``GovernanceModel``, ``load_scenario``).

import netgov
result = netgov.run("idp_distributed", seed=3, notice_period=1)
result.steps          # the per-step table (a DataFrame)
netgov.compare(["status_quo_intergovernmental", "idp_distributed"], reps=10)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from netgov.analysis.summary import summarise
from netgov.experiment.runner import RunResult, replicate, run_once
from netgov.model.config import nest
from netgov.scenarios.loader import load


def run(scenario: str | None = None, *, seed: int = 0, steps: int | None = None, **overrides: Any) -> RunResult:
    """Run a scenario (a shipped name, a .toml path, or None for the defaults) once, with keyword overrides
    (dotted keys as ``{"participation.cost": 3}`` via ``**{...}``); returns the per-step and issue tables."""
    return run_once(load(scenario, nest(overrides)).config, seed, steps)


def compare(scenarios: Sequence[str], *, reps: int = 20, seed: int = 0, steps: int | None = None) -> pd.DataFrame:
    """Mean and 95% CI of every final metric per scenario, over ``reps`` replications with common seeds."""
    if isinstance(scenarios, str) or len(scenarios) < 2:
        raise ValueError(f"compare needs two or more scenarios, got {scenarios!r}")
    configs = {name: load(name).config for name in scenarios}
    return summarise(replicate(configs, reps, seed, steps), list(configs))
