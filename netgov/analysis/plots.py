"""Standard figures: metric trajectories with confidence bands, and metrics against a parameter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.analysis.summary import point_summary
from netgov.model.contract import KEY_METRICS
from netgov.model.metrics import mean_ci


def pyplot() -> Any:
    """matplotlib's pyplot on the non-interactive Agg backend: figures are written to files, never shown."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_data_uri(fig: Any, dpi: int = 100) -> str:
    """A figure as a PNG data URI (and closed): reports embed their plots and need no other file."""
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def plot_trajectories(
    trajectories: pd.DataFrame,
    path: str | Path | None = None,
    metrics: Sequence[str] = KEY_METRICS,
) -> Any:
    """Metric trajectories per scenario: the mean over replications with a 95% confidence band.

    Written to ``path`` (and closed); with no path the figure is returned (a notebook shows it).
    """
    plt = pyplot()
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
    if path is None:
        return fig
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def plot_metric(runs: pd.DataFrame, params: list[str], metrics: list[str], by: str, path: str | Path) -> None:
    """Each metric's mean and 95% CI against parameter ``by``; one line per value of a second varied parameter."""
    plt = pyplot()
    others = [p for p in params if p != by and runs[p].nunique() <= 10]
    group = others[0] if others else None
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.8), squeeze=False)
    for ax, metric in zip(axes.ravel(), metrics, strict=True):
        for label, sub in runs.groupby(group, sort=True) if group else [(None, runs)]:
            stats = point_summary(sub, [by], [metric])
            x = stats[by].to_numpy()
            mean, lo, hi = (stats[f"{metric}_{s}"].to_numpy(dtype=float) for s in ("mean", "lo", "hi"))
            ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], marker="o", capsize=3, label=f"{group} = {label}")
        ax.set_xlabel(by)
        ax.set_title(metric)
    if group:
        axes.ravel()[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
