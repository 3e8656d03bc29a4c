"""``netgov validate --report DIR``: one self-contained HTML file (plots embedded as PNG data URIs).

It shows, for every pattern, what was observed, the band, and the simulated mean with its interval
at each master seed and pooled; the calibrated ensemble against its priors; which plausible wrong
mechanism fails which pattern; and the versions and seeds that produced it. No script, no network:
it opens offline.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.analysis.plots import png_data_uri
from netgov.experiment.files import write_text
from netgov.model.plotting import pyplot
from netgov.validation.calibrate import priors
from netgov.validation.patterns import PatternResult

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.pass { color: #1a7f37; font-weight: bold; } .fail { color: #b42318; font-weight: bold; }
img { max-width: 100%; } figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #555; }
"""

#: The report's file in its folder.
REPORT = "validation.html"


def pattern_figure(res: PatternResult) -> str:
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
    return png_data_uri(fig, dpi=110)


def ensemble_figure(ensemble: pd.DataFrame) -> str:
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
    return png_data_uri(fig, dpi=110)


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, float_format=lambda x: f"{x:.3f}")


def write_report(
    out: Path,
    results: list[PatternResult],
    table: pd.DataFrame,
    meta: Mapping[str, Any],
    ensemble: pd.DataFrame | None,
    alternatives: pd.DataFrame | None,
) -> Path:
    """Write ``out/validation.html`` and return its path."""
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>netgov validation</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>netgov validation: observed vs simulated</h1>",
        f"<p>Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        + "; ".join(f"{e(str(k))}: {e(str(v))}" for k, v in meta.items())
        + ".</p>",
        "<p>A measure passes at one master seed when its 95% interval (Wilson for a share of replications, "
        "bootstrap for a mean of per-run shares) overlaps the band; a pattern passes when every measure "
        "passes at every master seed and the pooled mean lies inside the band. Calibration patterns were "
        "fitted (their match is not evidence); validation patterns were not; held-out patterns were "
        "committed with their bands before the model first ran on them.</p>",
        "<h2>Verdicts</h2><table><tr><th>pattern</th><th>role</th><th>title</th><th>result</th>"
        "<th>worst master seed</th><th>sources</th></tr>",
    ]
    for res in results:
        ok = res.passed
        parts.append(
            f"<tr><td>{e(res.pattern.id)}</td><td>{e(res.pattern.role)}</td><td>{e(res.pattern.title)}</td>"
            f"<td class='{'pass' if ok else 'fail'}'>{'pass' if ok else 'FAIL'}</td>"
            f"<td>{res.worst_seed}</td><td>{e(res.pattern.source)}</td></tr>"
        )
    parts.append("</table>")
    for res in results:
        parts.append(f"<h2>{e(res.pattern.id)}: {e(res.pattern.title)}</h2>")
        parts.append(f"<figure><img alt='{e(res.pattern.id)} observed vs simulated' src='{pattern_figure(res)}'>")
        parts.append("<figcaption>band shaded; grey: each master seed; diamond: pooled mean</figcaption></figure>")
        pooled = table[(table["pattern"] == res.pattern.id) & table["master_seed"].isna()]
        cols = ["measure", "observed", "kind", "n", "mean", "ci_lo", "ci_hi", "band", "passed"]
        parts.append(_table(pooled[cols]))
    if alternatives is not None and len(alternatives):
        parts.append("<h2>What each pattern can discriminate</h2>")
        parts.append("<p>Each pattern run under plausible wrong mechanisms: a pattern that no alternative fails does")
        parts.append(" not discriminate between them.</p>")
        parts.append(_table(alternatives))
    if ensemble is not None:
        parts.append("<h2>The calibrated ensemble</h2>")
        parts.append(f"<figure><img alt='calibrated ensemble' src='{ensemble_figure(ensemble)}'></figure>")
    parts.append("</body></html>")
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT
    write_text(path, "\n".join(parts))
    return path
