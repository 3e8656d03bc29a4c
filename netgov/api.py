"""The friendly Python API: ``from netgov import run, compare, differences`` (the model itself,
``GovernanceModel``, is ``netgov.model.model.GovernanceModel``).

import netgov
result = netgov.run("idp_distributed", seed=3, notice_period=1)
result.steps          # the per-step table (a DataFrame)
netgov.compare(["status_quo_intergovernmental", "idp_distributed"], reps=10)  # scenario, metric, mean, lo, hi, n
netgov.differences(["status_quo_intergovernmental", "idp_distributed"], reps=10)  # paired, vs the first

Every argument is checked as the command line checks its flag, before anything runs: the same bounds, the
same one-line ``ConfigError``, naming the Python argument (``netgov.run(steps=0)``), never a flag. The size
ceilings give way to ``i_know=True``; the schema's hard bounds (e.g. ``steps <= 100,000``) do not.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from netgov.analysis.summary import final_summary, paired_differences, summarise
from netgov.experiment import limits
from netgov.experiment.replications import replicate
from netgov.experiment.runner import RunResult, run_once
from netgov.model.core.config import ModelConfig
from netgov.model.core.errors import ConfigError
from netgov.scenarios.loader import DEFAULT, load, overrides


def run(
    scenario: str | None = None,
    *,
    seed: int = 0,
    steps: int | None = None,
    agents: bool = False,
    i_know: bool = False,
    **params: Any,
) -> RunResult:
    """Run a scenario once, with keyword overrides.

    Parameters
    ----------
    scenario
        A shipped scenario's name, a ``.toml`` path, or None for the schema's defaults (the calibrated world).
    seed
        The run's seed: the same scenario, overrides and seed give the same tables.
    steps
        Months to run (default: the scenario's ``steps``).
    agents
        Also keep the agent table (one row per actor every ``agent_interval`` months).
    i_know
        Lift the size ceilings of ``netgov.experiment.limits`` (not the schema's hard bounds).
    **params
        Parameter overrides; dotted keys through a dict, ``**{"participation.cost": 3}``.

    Returns
    -------
    RunResult
        ``.steps`` (the per-step table), ``.issues`` (one row per issue), ``.agents`` (None unless
        ``agents``), and ``.final`` (the last row's final metrics).

    Raises
    ------
    ConfigError
        One line naming the argument, its value and what is allowed; nothing has run.
    """
    what = "netgov.run"
    _check_common(what, seed, steps, i_know)
    _check_flag(what, "agents", agents)
    _check_scenario(scenario, f"{what}(scenario={scenario!r})", allow_none=True)
    config = load(scenario, overrides(params, f"{what}(**overrides)"), label=f"{what}(**overrides)").config
    limits.check_work(config, steps, what, i_know, f"{what}: steps =")
    return run_once(config, seed, steps, agents)


def compare(
    scenarios: Sequence[str],
    *,
    reps: int = 20,
    seed: int = 0,
    steps: int | None = None,
    wide: bool = False,
    i_know: bool = False,
) -> pd.DataFrame:
    """Mean and 95% interval of every final metric per scenario, over replications with common seeds.

    Parameters
    ----------
    scenarios
        Two or more scenario names or ``.toml`` paths.
    reps
        Replications per scenario; replication r of every scenario runs with the same seed.
    seed
        The master seed the replications' seeds are drawn from.
    steps
        Months per run (default: each scenario's ``steps``).
    wide
        One row per scenario instead, each final metric's ``_mean``, ``_lo`` and ``_hi`` in columns.
    i_know
        Lift the size ceilings (not the schema's hard bounds).

    Returns
    -------
    pandas.DataFrame
        A tidy long table, one row per (scenario, metric): ``scenario``, ``metric``, ``mean``, ``lo``,
        ``hi`` (a 95% percentile-bootstrap interval of the mean, inside the metric's range: a share's
        inside [0, 1]) and ``n`` (replications with a value); see
        :func:`netgov.analysis.summary.final_summary`. To compare two scenarios, use :func:`differences`:
        the paired interval of their difference is narrower than two intervals side by side.

    Raises
    ------
    ConfigError
        A bad argument or scenario, in one line, before anything runs.
    """
    _check_flag("netgov.compare", "wide", wide)
    configs = _configs("netgov.compare", scenarios, reps, seed, steps, i_know)
    runs = replicate(configs, reps, seed, steps)
    return summarise(runs, list(configs), seed=seed) if wide else final_summary(runs, list(configs), seed=seed)


def differences(
    scenarios: Sequence[str], *, reps: int = 20, seed: int = 0, steps: int | None = None, i_know: bool = False
) -> pd.DataFrame:
    """Each final metric's difference from the first scenario, paired by replication (common seeds).

    Pairing removes the variation the scenarios share, so the interval is that of the difference the
    change makes, not of two noisy means.

    Parameters
    ----------
    scenarios
        Two or more scenario names or ``.toml`` paths; the first is the baseline.
    reps, seed, steps, i_know
        As for :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        One row per (other scenario, metric): ``n`` pairs, ``diff_mean``, ``diff_lo``, ``diff_hi``
        (see :func:`netgov.analysis.summary.paired_differences`).

    Raises
    ------
    ConfigError
        A bad argument or scenario, in one line, before anything runs.
    """
    configs = _configs("netgov.differences", scenarios, reps, seed, steps, i_know)
    return paired_differences(replicate(configs, reps, seed, steps), next(iter(configs)))


def _check_flag(what: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ConfigError(f"{what}({name}={value!r}): expected True or False")


def _check_common(what: str, seed: object, steps: object, i_know: object) -> None:
    """``seed``, ``steps`` and ``i_know`` as the command line checks ``--seed``, ``--steps`` and ``--i-know``:
    ``steps`` within the schema's hard bound whatever ``i_know`` says."""
    _check_flag(what, "i_know", i_know)
    limits.check_integer(seed, f"{what}(seed={seed!r})", 0, limits.MAX_SEED)
    if steps is not None:
        limits.check_integer(steps, f"{what}(steps={steps!r})", 1, limits.steps_bound(), "the schema's bound")


def _check_scenario(ref: object, shown: str, allow_none: bool = False) -> None:
    if (ref is None and allow_none) or isinstance(ref, str | os.PathLike):
        return
    raise ConfigError(f"{shown}: expected a scenario name or a .toml file (the schema's defaults: {DEFAULT!r})")


def _configs(
    what: str, scenarios: Sequence[str], reps: int, seed: int, steps: int | None, i_know: bool
) -> dict[str, ModelConfig]:
    """Each scenario's config by its name, after every argument and the job's size are checked."""
    _check_common(what, seed, steps, i_know)
    limits.check_integer(reps, f"{what}(reps={reps!r})", 1)
    if isinstance(scenarios, str | os.PathLike) or not isinstance(scenarios, Sequence) or len(scenarios) < 2:
        raise ConfigError(f"{what}(scenarios={scenarios!r}): expected a list of two or more scenarios")
    for i, ref in enumerate(scenarios):
        _check_scenario(ref, f"{what}(scenarios[{i}]={ref!r})")
    loaded = [load(str(ref)) for ref in scenarios]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ConfigError(f"{what}: a scenario is named twice in {list(map(str, scenarios))!r}")
    configs = {s.name: s.config for s in loaded}
    limits.check_configs(configs.values(), reps, steps, what, i_know, (f"{what}: reps =", f"{what}: steps ="))
    return configs
