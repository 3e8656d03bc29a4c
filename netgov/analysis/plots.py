"""Standard figures: metrics against a parameter, and figures as embedded images (the trajectory figure and
matplotlib itself come from ``netgov.model.plotting``, which the model's ``plot`` uses too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from netgov.analysis.summary import point_summary
from netgov.experiment.files import atomic
from netgov.model.plotting import pyplot


def png_data_uri(fig: Any, dpi: int = 100) -> str:
    """A figure as a PNG data URI (and closed): reports embed their plots and need no other file."""
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


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
    with atomic(Path(path)) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
