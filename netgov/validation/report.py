"""``netgov validate --report DIR``: one self-contained HTML file (plots embedded as PNG data URIs), from
``templates/validation.html.j2`` on the reports' shared base template and stylesheet (``netgov.analysis.html``).

It shows, for every pattern, what was observed, the band, and the simulated mean with its interval
at each master seed and pooled; the calibrated ensemble against its priors; which plausible wrong
mechanism fails which pattern; and the versions and seeds that produced it. No script, no network:
it opens offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.analysis.html import environment, figure, table_html
from netgov.experiment.files import write_text
from netgov.model.plotting import pyplot
from netgov.validation.calibrate import priors
from netgov.validation.judge import PatternResult

#: The report's file in its folder.
REPORT = "validation.html"


def pattern_figure(res: PatternResult) -> Any:
    """One row per measure: the band (shaded), each seed's interval and the pooled one."""
    plt = pyplot()
    measures = res.pooled
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(measures) + 1.2))
    for i, m in enumerate(measures):
        y = len(measures) - 1 - i
        ax.fill_betweenx([y - 0.4, y + 0.4], m.band[0], m.band[1], color="#cfe8d5", lw=0)
        for j, (_s, ms) in enumerate(sorted(res.by_seed.items())):
            s_m = ms[i]
            dy = -0.3 + 0.6 * (j + 0.5) / max(1, len(res.by_seed))
            ax.errorbar(s_m.mean, y + dy, xerr=[[s_m.mean - s_m.lo], [s_m.hi - s_m.mean]], fmt="o", ms=3, color="#555")
        ax.plot([m.mean], [y], marker="D", color="#b42318" if not (m.inside and m.holds) else "#1a7f37", ms=7)
    ax.set_yticks(range(len(measures)), [m.measure for m in reversed(measures)], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share (band shaded; grey: each master seed's mean and 95% interval; diamond: pooled mean)")
    ax.set_title(f"{res.pattern.id}: {res.pattern.title}", fontsize=10)
    return fig


def ensemble_figure(ensemble: pd.DataFrame) -> Any:
    """Each free parameter's weighted posterior histogram over its prior's range."""
    plt = pyplot()
    ps = [p for p in priors() if p.key in ensemble.columns]
    cols = 4
    rows = max(1, int(np.ceil(len(ps) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.3 * rows), squeeze=False)
    w = ensemble["weight"].to_numpy(dtype=float)
    for ax, p in zip(axes.flat, ps, strict=False):
        ax.hist(ensemble[p.key].to_numpy(dtype=float), bins=20, range=(p.low, p.high), weights=w, color="#4c72b0")
        ax.set_title(p.key.replace("stance.state_centric.government_region_mean.", "state_centric mean: "), fontsize=8)
        ax.set_xlim(p.low, p.high)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(ps) :]:
        ax.axis("off")
    fig.suptitle("calibrated ensemble: weighted posterior of each free parameter (x axis: its uniform prior)")
    fig.tight_layout()
    return fig


def write_report(
    out: Path,
    results: list[PatternResult],
    table: pd.DataFrame,
    meta: Mapping[str, Any],
    ensemble: pd.DataFrame | None,
    alternatives: pd.DataFrame | None,
) -> Path:
    """Write ``out/validation.html`` (the shared report template and stylesheet) and return its path."""
    cols = ["measure", "observed", "kind", "n", "mean", "ci_lo", "ci_hi", "band", "passed"]
    patterns = [
        {
            "id": res.pattern.id,
            "role": res.pattern.role,
            "title": res.pattern.title,
            "source": res.pattern.source,
            "passed": res.passed,
            "worst_seed": res.worst_seed,
            "figure": figure(pattern_figure(res), f"{res.pattern.id} observed vs simulated", dpi=110),
            "table": table_html(table[(table["pattern"] == res.pattern.id) & table["master_seed"].isna()][cols]),
        }
        for res in results
    ]
    shown = figure(ensemble_figure(ensemble), "calibrated ensemble", dpi=110) if ensemble is not None else None
    html = (
        environment("netgov.validation")
        .get_template("validation.html.j2")
        .render(
            written=f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
            meta=[(str(k), str(v)) for k, v in meta.items()],
            patterns=patterns,
            alternatives=table_html(alternatives) if alternatives is not None and len(alternatives) else None,
            ensemble=shown,
        )
    )
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT
    write_text(path, html)
    return path
