"""One run of a config, and the seed of run r of a batch (replications: ``replications.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.model import GovernanceModel


def run_seed(master_seed: int, index: int) -> int:
    """The seed of run ``index`` of a batch: derived from (master seed, index) by SeedSequence.

    The same (master, index) gives the same seed whatever runs the batch and in what
    order; replication r of every scenario gets the same seed (common random numbers).
    """
    return int(np.random.SeedSequence([master_seed, index]).generate_state(1, dtype=np.uint32)[0])


@dataclass
class RunResult:
    """One run's per-step table, and its issue table and agent table if they were asked for."""

    steps: pd.DataFrame
    issues: pd.DataFrame | None = None
    agents: pd.DataFrame | None = None

    @property
    def final(self) -> dict[str, object]:
        """The last row of the per-step table: the run's final metrics."""
        return {c: self.steps[c].iloc[-1] for c in FINAL_METRICS}


def run_once(
    config: ModelConfig, seed: int, steps: int | None = None, agents: bool = False, issues: bool = True
) -> RunResult:
    """Build a model with ``seed`` and run it for ``steps`` months (default: the config's ``steps``);
    ``agents``: also return the agent table (one row per actor every ``agent_interval`` months); ``issues``: the
    issue table (a study that reads only the per-step table skips it: about 5% of a run's time)."""
    model = GovernanceModel(config, rng=seed)
    model.run_for(steps if steps is not None else config.steps)
    return RunResult(
        steps=model.step_table(),
        issues=model.issue_table() if issues else None,
        agents=model.agent_table() if agents else None,
    )
