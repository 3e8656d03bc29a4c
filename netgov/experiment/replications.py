"""Replications with common random numbers: several configs, each run with the same seeds, kept in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from netgov.experiment.executors import Executor, Job, run_all
from netgov.experiment.runner import run_seed
from netgov.model.core.config import ModelConfig
from netgov.scenarios.loader import Scenario, in_world

if TYPE_CHECKING:
    from netgov.experiment.ensemble import Ensemble


def job(run_id: int, config: ModelConfig, seed: int, outputs: tuple[str, ...], steps: int | None = None) -> Job:
    """One run of a validated config as a :class:`Job` any executor takes (the config travels whole)."""
    return Job(run_id, seed, config.model_dump(by_alias=True), outputs, steps)


def replicate(
    configs: Mapping[str, ModelConfig | Scenario],
    reps: int,
    seed: int = 0,
    steps: int | None = None,
    progress: Callable[[], None] | None = None,
    ensemble: Ensemble | None = None,
    where: Executor | None = None,
) -> pd.DataFrame:
    """Run every config ``reps`` times with the same seeds; return all per-step rows.

    Parameters
    ----------
    configs
        Name -> config (or scenario); the name is the ``scenario`` column.
    reps
        Replications of each; replication r of every config runs with the seed from (``seed``, r).
    seed
        The master seed.
    steps
        Months to run (None: each config's own ``steps``).
    progress
        Called after every run.
    ensemble
        Replication r of every scenario runs in the same drawn parameter set, whose row is the ``world``
        column (every value of ``configs`` must then be a Scenario).
    where
        An entered executor (:mod:`netgov.experiment.executors`; default: this process).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario``, ``replication``, ``seed`` (and ``world``), then the per-step columns.
    """
    labels: list[dict[str, object]] = []
    jobs: list[Job] = []
    for r in range(reps):
        s = run_seed(seed, r)
        world = None if ensemble is None else ensemble.index(seed, r)
        for name, cfg in configs.items():
            if ensemble is not None and world is not None:
                if not isinstance(cfg, Scenario):
                    raise TypeError("replicate with an ensemble needs Scenarios (a draw gives way to their settings)")
                cfg = in_world(cfg, ensemble.row(world)).config
            elif isinstance(cfg, Scenario):
                cfg = cfg.config
            jobs.append(job(len(jobs), cfg, s, ("steps",), steps))
            labels.append(
                {"scenario": name, "replication": r, "seed": s, **({"world": world} if world is not None else {})}
            )
    outcomes = run_all(jobs, where, progress)
    frames = []
    for j, label in zip(jobs, labels, strict=True):
        df = outcomes[j.run_id].steps
        assert df is not None  # the job asked for it
        for i, (column, value) in enumerate(label.items()):
            df.insert(i, column, value)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
