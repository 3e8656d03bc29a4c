"""The friendly Python API: ``from netgov import run, compare, differences`` (the model itself,
``GovernanceModel``, is ``netgov.model.model.GovernanceModel``).

import netgov
result = netgov.run("idp_distributed", seed=3, notice_period=1)
result.steps          # the per-step table (a DataFrame)
netgov.compare(["status_quo_intergovernmental", "idp_distributed"], reps=10)
netgov.differences(["status_quo_intergovernmental", "idp_distributed"], reps=10)  # paired, vs the first
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from netgov.analysis.summary import paired_differences, summarise
from netgov.experiment import limits
from netgov.experiment.runner import RunResult, replicate, run_once
from netgov.model.core.config import nest
from netgov.scenarios.loader import load


def run(
    scenario: str | None = None,
    *,
    seed: int = 0,
    steps: int | None = None,
    agents: bool = False,
    i_know: bool = False,
    **overrides: Any,
) -> RunResult:
    """Run a scenario (a shipped name, a .toml path, or None for the defaults) once, with keyword overrides
    (dotted keys as ``{"participation.cost": 3}`` via ``**{...}``); returns the per-step and issue tables
    (and, with ``agents=True``, the agent table: ``result.agents``).

    A run above the size ceilings of ``netgov.experiment.limits`` raises ``ConfigError`` unless ``i_know``."""
    config = load(scenario, nest(overrides)).config
    limits.check_work(config, steps, "netgov.run", i_know)
    return run_once(config, seed, steps, agents)


def compare(
    scenarios: Sequence[str], *, reps: int = 20, seed: int = 0, steps: int | None = None, i_know: bool = False
) -> pd.DataFrame:
    """Mean and 95% CI of every final metric per scenario, over ``reps`` replications with common seeds."""
    configs = _configs("compare", scenarios)
    limits.check_configs(configs.values(), reps, steps, "netgov.compare", i_know)
    return summarise(replicate(configs, reps, seed, steps), list(configs))


def differences(
    scenarios: Sequence[str], *, reps: int = 20, seed: int = 0, steps: int | None = None, i_know: bool = False
) -> pd.DataFrame:
    """Each final metric's difference from the first scenario, paired by replication (common seeds):
    mean and 95% CI, one row per (other scenario, metric); see ``paired_differences``."""
    configs = _configs("differences", scenarios)
    limits.check_configs(configs.values(), reps, steps, "netgov.differences", i_know)
    return paired_differences(replicate(configs, reps, seed, steps), scenarios[0])


def _configs(what: str, scenarios: Sequence[str]) -> dict[str, Any]:
    if isinstance(scenarios, str) or len(scenarios) < 2:
        raise ValueError(f"{what} needs two or more scenarios, got {scenarios!r}")
    if len(set(scenarios)) != len(scenarios):
        raise ValueError(f"{what}: a scenario is named twice in {list(scenarios)!r}")
    return {name: load(name).config for name in scenarios}
