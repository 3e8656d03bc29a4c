"""Global sensitivity analysis with SALib: Morris screening (mu*, sigma) or Sobol indices (S1, ST).

The design is the spec's parameters under SALib's ``morris`` or ``sobol`` sampler, run through the
ordinary batch engine; each point's response is the mean over its replications.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from netgov.analysis.plots import pyplot
from netgov.experiment.spec import ExperimentSpec
from netgov.model.config import ConfigError

METHODS = ("morris", "sobol")
#: The index each method ranks parameters by, and the columns of its table.
RANK_BY = {"morris": "mu_star", "sobol": "ST"}
COLUMNS = {"morris": ("mu_star", "mu_star_conf", "sigma", "mu"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}


def design(spec: ExperimentSpec, method: str, samples: int | None = None) -> ExperimentSpec:
    """The spec under the method's SALib sampler (``samples``: Morris trajectories or Sobol base samples)."""
    if method not in METHODS:
        raise ConfigError(f"--method {method!r} is not allowed: expected one of " + ", ".join(map(repr, METHODS)))
    if samples is not None and samples < 1:
        raise ConfigError(f"--samples {samples}: expected an integer >= 1")
    return spec.with_sampler(method, samples)


def responses(runs: pd.DataFrame, metric: str, replications: int, n_points: int) -> np.ndarray:
    """One value per design point: the mean of ``metric`` over the point's successful replications."""
    ok = runs[runs["status"] == "ok"]
    per_point = ok[metric].astype(float).groupby(ok["run_id"] // replications).mean()
    return per_point.reindex(range(n_points)).to_numpy(dtype=float)


def analyse(spec: ExperimentSpec, runs: pd.DataFrame, metrics: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Indices of every varied parameter for each metric, ranked; and the metrics left out (undefined values)."""
    from SALib.analyze import morris, sobol

    x = spec.unit_design()
    if x is None:
        raise ConfigError(f"{spec.label}: sensitivity needs sampler 'morris' or 'sobol', not {spec.sampler!r}")
    problem = spec.problem()
    frames, skipped = [], []
    for metric in metrics:
        y = responses(runs, metric, spec.replications, len(x))
        if not np.isfinite(y).all():  # e.g. legitimacy when nothing was adopted at some point
            skipped.append(metric)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            if spec.sampler == "morris":
                res = morris.analyze(problem, x, y, num_levels=spec.levels, seed=spec.seed)
            else:
                res = sobol.analyze(problem, y, calc_second_order=False, seed=spec.seed)
        table = pd.DataFrame({c: np.ma.filled(np.asarray(res[c], dtype=float), np.nan) for c in COLUMNS[spec.sampler]})
        table.insert(0, "parameter", spec.names)
        table.insert(0, "metric", metric)
        table = table.sort_values(RANK_BY[spec.sampler], ascending=False, ignore_index=True)
        table.insert(2, "rank", range(1, len(table) + 1))
        frames.append(table)
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), skipped


def plot_indices(table: pd.DataFrame, method: str, path: str | Path) -> None:
    """One bar chart per metric: parameters ranked by mu* (Morris) or S1 and ST (Sobol), with confidence bars."""
    plt = pyplot()

    metrics = list(dict.fromkeys(table["metric"]))
    n_params = table["parameter"].nunique()
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(4.2 * len(metrics), 1.2 + 0.45 * n_params), squeeze=False, sharey=False
    )
    for ax, metric in zip(axes.ravel(), metrics, strict=True):
        sub = table[table["metric"] == metric].iloc[::-1]
        pos = np.arange(len(sub))
        if method == "morris":
            ax.barh(pos, sub["mu_star"], xerr=sub["mu_star_conf"], color="tab:blue", capsize=3)
            ax.set_xlabel("mu* (mean |elementary effect|)")
        else:
            ax.barh(pos + 0.2, sub["ST"], height=0.4, xerr=sub["ST_conf"], label="ST", capsize=3)
            ax.barh(pos - 0.2, sub["S1"], height=0.4, xerr=sub["S1_conf"], label="S1", capsize=3)
            ax.set_xlabel("Sobol index")
            ax.legend(fontsize=8)
        ax.set_yticks(pos, sub["parameter"])
        ax.set_title(metric)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
