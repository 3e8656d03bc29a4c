"""The robustness report: one self-contained HTML file on a policies x uncertainties batch.

It states the study's question and spec; shows each policy's outcomes across the sampled worlds
(envelopes over time, final values); the paired contrasts of every policy with the baseline; the
share of worlds in which each recommendation ("policy P raises metric M above the baseline", or lowers it
below, for a metric where lower is better, such as capture) holds;
the boxes of worlds where it fails (PRIM, CART); and the versions and seeds that reproduce it.
Figures are PNGs inlined as data URIs, so the file opens offline; the tables behind it are written
as Parquet beside it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.analysis.contrasts import Contrast, contrast_table, paired
from netgov.analysis.discovery import cases, discover
from netgov.analysis.plots import png_data_uri
from netgov.experiment.files import atomic, write_text
from netgov.experiment.spec import ExperimentSpec
from netgov.model.core.config import ConfigError
from netgov.model.core.contract import JUDGED_METRICS, STEP_TABLE, better_sign
from netgov.model.plotting import pyplot

#: The metrics a recommendation is judged on unless told otherwise (the claim is "better", in the
#: direction the typed contract gives each metric).
METRICS = ("inclusiveness", "legitimacy", "regional_balance")
#: What the report writes into the batch's folder (each whole or not at all).
REPORT_FILES = ("report.html", "contrasts.parquet", "holds.parquet", "boxes.parquet")
MEANING = {c.name: c.meaning for c in STEP_TABLE}
CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .9em; }
td, th { border: 1px solid #ccc; padding: .25em .5em; text-align: right; } th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; display: block; margin: .6em 0; } pre { background: #f7f7f7; padding: .8em; overflow-x: auto; }
.note { color: #555; font-size: .9em; }
"""


def _png(fig: Any) -> str:
    """A figure as an <img> with a data URI (the report needs no other file)."""
    return f'<img class="plot" alt="figure" src="{png_data_uri(fig, dpi=90)}">'


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.3g}", na_rep="NaN", border=0, escape=True)


def envelopes(steps: pd.DataFrame, metrics: Sequence[str], policies: Sequence[str]) -> Any:
    """Per metric, per policy: the median over worlds of the world mean at each month, with the 10-90% and
    min-max envelopes across worlds."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.6), squeeze=False)
    per_world = steps.groupby(["policy", "point", "step"])[list(metrics)].mean().reset_index()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, m in zip(axes.ravel(), metrics, strict=True):
        for k, pol in enumerate(policies):
            sub = per_world[per_world["policy"] == pol].groupby("step")[m]
            q = sub.quantile([0.0, 0.1, 0.5, 0.9, 1.0]).unstack()
            c = colours[k % len(colours)]
            ax.fill_between(q.index, q[0.0], q[1.0], color=c, alpha=0.12, linewidth=0)
            ax.fill_between(q.index, q[0.1], q[0.9], color=c, alpha=0.3, linewidth=0)
            ax.plot(q.index, q[0.5], color=c, label=pol)
        ax.set_title(m)
        ax.set_xlabel("month")
    axes.ravel()[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def finals(runs: pd.DataFrame, metrics: Sequence[str], policies: Sequence[str]) -> Any:
    """Per metric: the distribution over worlds of each policy's final value (mean over replications)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.4), squeeze=False)
    ok = runs[runs["status"] == "ok"]
    world = ok.groupby(["policy", "point"])[list(metrics)].mean().reset_index()
    rng = np.random.default_rng(0)  # jitter only
    for ax, m in zip(axes.ravel(), metrics, strict=True):
        data = [world.loc[world["policy"] == p, m].dropna().to_numpy() for p in policies]
        ax.boxplot(data, tick_labels=list(policies), showfliers=False)
        for k, d in enumerate(data):
            ax.scatter(k + 1 + rng.uniform(-0.12, 0.12, len(d)), d, s=8, alpha=0.6)
        ax.set_title(f"final {m} per world")
    fig.tight_layout()
    return fig


def check_judged(metrics: Sequence[str]) -> None:
    """A recommendation claims a metric gets better: refuse one that is not a judgement (e.g. a count)."""
    neutral = [m for m in metrics if m not in JUDGED_METRICS]
    if neutral:
        raise ConfigError(
            f"--metric {', '.join(neutral)}: neither higher nor lower is better, so no recommendation can claim it;"
            f" expected one of {', '.join(JUDGED_METRICS)}"
        )


def holds(
    runs: pd.DataFrame, params: list[str], baseline: str, policies: Sequence[str], metrics: Sequence[str]
) -> pd.DataFrame:
    """Per (policy, metric): the share of worlds in which the policy does better than the baseline on the metric
    (above it where higher is better, below where lower is; mean over the world's paired replications), and the
    worlds where that is undefined."""
    check_judged(metrics)
    rows = []
    for pol in policies:
        if pol == baseline:
            continue
        pairs = paired(runs, Contrast("policy", pol, baseline), params)
        for m in metrics:
            diff = (pairs[f"a:{m}"].astype(float) - pairs[f"b:{m}"].astype(float)).groupby(pairs["point"]).mean()
            defined = diff.dropna()
            sign = better_sign(m)
            rows.append(
                {
                    "recommendation": f"{pol} {'raises' if sign > 0 else 'lowers'} {m}"
                    f" {'above' if sign > 0 else 'below'} {baseline}",
                    "policy": pol,
                    "metric": m,
                    "worlds": len(defined),
                    "undefined_worlds": len(diff) - len(defined),
                    "share_holds": float((sign * defined > 0).mean()) if len(defined) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def write_report(
    spec: ExperimentSpec,
    out: Path,
    manifest: dict[str, Any],
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    metrics: Sequence[str] = METRICS,
    baseline: str | None = None,
) -> Path:
    """Write ``out/report.html`` and the Parquet tables behind it (contrasts, holds, boxes); return the HTML's path."""
    policies = spec.policy_names
    base = baseline or policies[0]
    if base not in policies:
        raise ConfigError(f"--baseline {base!r}: expected one of {', '.join(policies)}")
    params = spec.names
    contrasts = pd.concat(
        [contrast_table(runs, Contrast("policy", p, base), params, metrics) for p in policies if p != base],
        ignore_index=True,
    )
    held = holds(runs, params, base, policies, metrics)
    boxes, box_html = [], []
    for row in held.itertuples():
        if not 0 < row.share_holds < 1:
            verdict = "holds in every world" if row.share_holds == 1 else "fails in every world"
            box_html.append(f"<h3>{html.escape(row.recommendation)}</h3><p>It {verdict}: no box to discover.</p>")
            continue
        # cases of interest: worlds where the policy does worse than the baseline (the recommendation fails)
        worlds, question = cases(runs, params, contrast=Contrast("policy", row.policy, base), metric=row.metric)
        worlds["of_interest"] = ~(better_sign(row.metric) * worlds["value"] > 0)  # a tie is no improvement
        found = discover(worlds, params, question, seed=spec.seed)
        stats = found.trajectory.iloc[found.chosen]
        limits = found.limits.assign(recommendation=row.recommendation)
        boxes.append(limits)
        box_html.append(
            f"<h3>{html.escape(row.recommendation)}: fails in {1 - row.share_holds:.0%} of worlds</h3>"
            f"<p>PRIM box {found.chosen}: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}"
            " (quasi-p-values of each limit; a limit with qp &lt; 0.05 is unlikely by chance).</p>"
            + _table(found.limits)
            + _png(found.figures["prim_trajectory"])
            + _png(found.figures["prim_box"])
            + "<p>CART leaves (density = share of the leaf's worlds where it fails):</p>"
            + _table(found.cart.sort_values("density", ascending=False))
            + _png(found.figures["cart_tree"])
            + "<p>Feature scores of the uncertainties (extra trees):</p>"
            + _png(found.figures["feature_scores"])
        )
    with atomic(out / "contrasts.parquet") as tmp:
        contrasts.to_parquet(tmp, index=False)
    with atomic(out / "holds.parquet") as tmp:
        held.to_parquet(tmp, index=False)
    if boxes:
        with atomic(out / "boxes.parquet") as tmp:
            pd.concat(boxes, ignore_index=True).astype({"min": str, "max": str}).to_parquet(tmp, index=False)
    seeds = sorted(set(zip(runs["replication"], runs["seed"], strict=True)))
    versions = {
        k: manifest.get(k) for k in ("versions", "git_commit", "git_dirty", "fingerprint", "started", "finished")
    }
    spec_text = spec.path.read_text(encoding="utf-8") if spec.path else json.dumps(spec.resolved(), indent=2)
    meaning = "".join(f"<li><b>{html.escape(m)}</b>: {html.escape(MEANING.get(m, ''))}</li>" for m in metrics)
    n_worlds, reps = spec.n_points(), spec.replications
    body = f"""
<h1>Robustness report: {html.escape(spec.summary or spec.label)}</h1>
<h2>Question</h2><p>{html.escape(spec.question or "(the spec gives no question)")}</p>
<p>{len(policies)} policies x {n_worlds} sampled worlds x {reps} replications = {len(runs)} runs of
{spec.scenario.config.steps} months; {int((runs["status"] != "ok").sum())} failed. Baseline: <b>{html.escape(base)}</b>.
Replication r of every world and policy ran with the same seed (common random numbers), so contrasts are paired.</p>
<ul>{meaning}</ul>
<h2>Spec</h2><pre>{html.escape(spec_text)}</pre>
<h2>Outcomes across worlds</h2>
<p class="note">Envelopes: median over worlds of each world's mean, 10-90% band (dark) and min-max (light).</p>
{_png(envelopes(steps, metrics, policies))}
{_png(finals(runs, metrics, policies))}
<h2>Paired contrasts with {html.escape(base)}</h2>
<p class="note">diff = policy - baseline; 95% CI paired by world and replication, and the unpaired (Welch) CI for
comparison; effect_size = d_z; n_for_width = pairs for a 95% CI 0.05 wide.</p>
{_table(contrasts.drop(columns=["factor"]))}
<h2>Where each recommendation holds</h2>
{_table(held)}
<h2>Where it fails: scenario discovery</h2>
{"".join(box_html)}
<h2>Versions and seeds</h2>
<p>Master seed {spec.seed}; seed of each replication: {html.escape(", ".join(f"r{r}: {s}" for r, s in seeds))}.</p>
<pre>{html.escape(json.dumps(versions, indent=2, default=str))}</pre>
<p class="note">Data: runs.parquet, steps.parquet, contrasts.parquet, holds.parquet, boxes.parquet in this folder.</p>
"""
    head = f'<meta charset="utf-8"><title>netgov robustness report</title><style>{CSS}</style>'
    page = f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>'
    path = out / "report.html"
    write_text(path, page)
    return path
