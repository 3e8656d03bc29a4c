"""The model's standard figure (metric trajectories with confidence bands) and matplotlib on its file backend.

It sits in the model's layer so ``GovernanceModel.plot`` needs nothing above it; ``netgov.analysis.plots``
builds its figures on the same two functions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netgov.model.core.contract import KEY_METRICS, UNIT_INTERVAL
from netgov.model.core.metrics import mean_ci


def pyplot() -> Any:
    """matplotlib's pyplot on the non-interactive Agg backend: figures are written to files, never shown."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_trajectories(
    trajectories: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    metrics: Sequence[str] = KEY_METRICS,
    zoom: bool = False,
) -> Any:
    """Metric trajectories per scenario: the mean over replications with a 95% confidence band.

    A share (0 to 1, ``UNIT_INTERVAL``) is drawn on a 0-1 axis and every other metric on an axis from 0, so
    a move from 0.806 to 0.819 looks as small as it is. ``zoom`` fits each axis to the data instead, and
    says so in the panel's title and y label. Written to ``path`` (and closed); with no path the figure is
    returned (a notebook shows it).
    """
    plt = pyplot()
    fig, axes = plt.subplots(2, (len(metrics) + 1) // 2, figsize=(4 * ((len(metrics) + 1) // 2), 6.5), squeeze=False)
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        for name, sub in trajectories.groupby("scenario", sort=False):
            stats = sub.groupby("step")[metric].apply(lambda s: mean_ci(s.astype(float).to_numpy()))
            steps = stats.index.to_numpy()
            mean, lo, hi = (np.array([v[i] for v in stats]) for i in range(3))
            if metric in UNIT_INTERVAL:  # a Student-t band can reach past a share's bounds: draw it inside them
                lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
            ax.plot(steps, mean, label=str(name))
            ax.fill_between(steps, lo, hi, alpha=0.25)
        ax.set_xlabel("step (months)")
        if zoom:
            ax.set_title(f"{metric} (zoomed)")
            ax.set_ylabel("zoomed: the axis does not start at 0", fontsize=8)
        else:
            ax.set_title(metric)
            if metric in UNIT_INTERVAL:
                ax.set_ylim(0.0, 1.0)
            else:
                ax.set_ylim(bottom=0.0)
    axes.ravel()[0].legend(fontsize=8)
    fig.tight_layout()
    if path is None:
        return fig
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
