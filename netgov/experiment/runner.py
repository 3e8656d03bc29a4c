"""Running scenarios: one run, and replications with common random numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.model import GovernanceModel
from netgov.scenarios.loader import Scenario, in_world

if TYPE_CHECKING:
    from netgov.experiment.ensemble import Ensemble


def run_seed(master_seed: int, index: int) -> int:
    """The seed of run ``index`` of a batch: derived from (master seed, index) by SeedSequence.

    The same (master, index) gives the same seed whatever runs the batch and in what
    order; replication r of every scenario gets the same seed (common random numbers).
    """
    return int(np.random.SeedSequence([master_seed, index]).generate_state(1, dtype=np.uint32)[0])


@dataclass
class RunResult:
    """One run's per-step table and issue table, and its agent table if it was asked for."""

    steps: pd.DataFrame
    issues: pd.DataFrame
    agents: pd.DataFrame | None = None

    @property
    def final(self) -> dict[str, object]:
        """The last row of the per-step table: the run's final metrics."""
        return {c: self.steps[c].iloc[-1] for c in FINAL_METRICS}


def run_once(config: ModelConfig, seed: int, steps: int | None = None, agents: bool = False) -> RunResult:
    """Build a model with ``seed`` and run it for ``steps`` months (default: the config's ``steps``);
    ``agents``: also return the agent table (one row per actor every ``agent_interval`` months)."""
    model = GovernanceModel(config, rng=seed)
    model.run_for(steps if steps is not None else config.steps)
    return RunResult(
        steps=model.step_table(), issues=model.issue_table(), agents=model.agent_table() if agents else None
    )


def replicate(
    configs: Mapping[str, ModelConfig | Scenario],
    reps: int,
    seed: int = 0,
    steps: int | None = None,
    progress: Callable[[], None] | None = None,
    ensemble: Ensemble | None = None,
) -> pd.DataFrame:
    """Run every config ``reps`` times with the same seeds; return all per-step rows.

    Columns: ``scenario``, ``replication``, ``seed`` and the per-step columns. With ``ensemble``
    (every value then a Scenario), replication r of every scenario runs in the same drawn parameter
    set, whose row is the ``world`` column.
    """
    frames = []
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
            df = run_once(cfg, s, steps).steps
            if world is not None:
                df.insert(0, "world", world)
            df.insert(0, "seed", s)
            df.insert(0, "replication", r)
            df.insert(0, "scenario", name)
            frames.append(df)
            if progress is not None:
                progress()
    return pd.concat(frames, ignore_index=True)
