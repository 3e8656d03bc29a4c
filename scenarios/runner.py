"""Running scenarios: one run, replications with common random numbers, and comparisons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.config import ModelConfig
from model.metrics import mean_ci
from model.model import STEP_COLUMNS, GovernanceModel

#: The final metrics of a run: every per-step column but ``step``.
FINAL_METRICS: tuple[str, ...] = tuple(c for c in STEP_COLUMNS if c != "step")
#: The metrics shown by default: `compare --plot`, `netgov analyze`, `netgov sensitivity`.
KEY_METRICS: tuple[str, ...] = (
    "participation_rate",
    "inclusiveness",
    "regional_balance",
    "capture",
    "adoption_rate",
    "legitimacy",
)


def run_seed(master_seed: int, index: int) -> int:
    """The seed of run ``index`` of a batch: derived from (master seed, index) by SeedSequence.

    The same (master, index) gives the same seed whatever runs the batch and in what
    order; replication r of every scenario gets the same seed (common random numbers).
    """
    return int(np.random.SeedSequence([master_seed, index]).generate_state(1, dtype=np.uint32)[0])


@dataclass
class RunResult:
    """One run's per-step table and issue table."""

    steps: pd.DataFrame
    issues: pd.DataFrame

    @property
    def final(self) -> dict[str, object]:
        """The last row of the per-step table: the run's final metrics."""
        return {c: self.steps[c].iloc[-1] for c in FINAL_METRICS}


def run_once(config: ModelConfig, seed: int, steps: int | None = None) -> RunResult:
    """Build a model with ``seed`` and run it for ``steps`` months (default: the config's ``steps``)."""
    model = GovernanceModel(config, rng=seed)
    model.run_for(steps if steps is not None else config.steps)
    return RunResult(steps=model.step_table(), issues=model.issue_table())


def replicate(
    configs: dict[str, ModelConfig],
    reps: int,
    seed: int = 0,
    steps: int | None = None,
    progress: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Run every config ``reps`` times with the same seeds; return all per-step rows.

    Columns: ``scenario``, ``replication``, ``seed`` and the per-step columns.
    """
    frames = []
    for r in range(reps):
        s = run_seed(seed, r)
        for name, cfg in configs.items():
            df = run_once(cfg, s, steps).steps
            df.insert(0, "seed", s)
            df.insert(0, "replication", r)
            df.insert(0, "scenario", name)
            frames.append(df)
            if progress is not None:
                progress()
    return pd.concat(frames, ignore_index=True)


def summarise(trajectories: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """One row per scenario: mean and 95% CI (``_lo``, ``_hi``) of each final metric."""
    last = trajectories.loc[trajectories.groupby(["scenario", "replication"])["step"].idxmax()]
    rows = []
    for name in order:
        sub = last[last["scenario"] == name]
        row: dict[str, object] = {"scenario": name, "reps": len(sub)}
        for m in FINAL_METRICS:
            mean, lo, hi = mean_ci(sub[m].astype(float).to_numpy())
            row[f"{m}_mean"], row[f"{m}_lo"], row[f"{m}_hi"] = mean, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)


def plot_trajectories(
    trajectories: pd.DataFrame,
    path: str,
    metrics: Sequence[str] = KEY_METRICS,
) -> None:
    """Metric trajectories per scenario: the mean over replications with a 95% confidence band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, (len(metrics) + 1) // 2, figsize=(4 * ((len(metrics) + 1) // 2), 6.5), squeeze=False)
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        for name, sub in trajectories.groupby("scenario", sort=False):
            stats = sub.groupby("step")[metric].apply(lambda s: mean_ci(s.astype(float).to_numpy()))
            steps = stats.index.to_numpy()
            mean, lo, hi = (np.array([v[i] for v in stats]) for i in range(3))
            ax.plot(steps, mean, label=str(name))
            ax.fill_between(steps, lo, hi, alpha=0.25)
        ax.set_title(metric)
        ax.set_xlabel("step (months)")
    axes.ravel()[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
