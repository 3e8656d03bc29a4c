"""The robustness report: one self-contained HTML file on a policies x uncertainties batch, answer first.

Its first screen answers: the question, one line per claim (the share of worlds in which it holds with
a 95% CI, and what breaks it) and the policy with the lowest maximum regret. Then the detail: each claim's
verdicts, regret per metric, outcomes over time (envelopes, and min / max / final / area per run), every
pair of policies contrasted, outcomes against the most influential uncertainties, the table of worlds
(also as worlds.csv), the boxes of worlds where each claim fails (PRIM with its trajectory and a
warning on a box that could be chance, CART, feature scores), and the versions, seeds and spec that
reproduce it. The page is a Jinja2 template (``templates/robustness.html.j2``) on the reports' shared
stylesheet; figures are inline PNGs, so it opens offline; the tables behind it are written beside it.

A report is written whole or not at all: every file goes to a hidden temporary name first, the previous
report's files are removed, and the new ones are renamed into place at the end.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.analysis.claims import VERDICTS, judge, world_verdicts
from netgov.analysis.contrasts import all_pairs
from netgov.analysis.discovery import MIN_WORLDS, NothingToDiscover, cases, discover
from netgov.analysis.html import environment, figure, table_html, whole
from netgov.analysis.regret import minimax, regret_summary, regret_table
from netgov.experiment.claims import Claim, default_claims
from netgov.experiment.spec import ExperimentSpec
from netgov.model.core.contract import JUDGED_METRICS, STEP_TABLE
from netgov.model.core.errors import ConfigError
from netgov.model.plotting import pyplot

#: The metrics a study judges unless told otherwise (each policy is claimed better than the first on them,
#: in the direction the typed contract gives each metric).
METRICS = ("inclusiveness", "legitimacy", "regional_balance")
MEANING = {c.name: c.meaning for c in STEP_TABLE}
#: Every file a report writes (a failed or repeated report leaves none of the previous one's behind).
REPORT_FILES = (
    "report.html",
    "claims.parquet",
    "verdicts.parquet",
    "contrasts.parquet",
    "regret.parquet",
    "over_time.parquet",
    "boxes.parquet",
    "worlds.csv",
)
#: How many of the most influential uncertainties the pairs plots show.
PAIRS = 3


def envelopes(steps: pd.DataFrame, metrics: Sequence[str], policies: Sequence[str]) -> Any:
    """Per metric, per policy: the median over worlds of the world mean at each month, with the 10-90% and
    min-max envelopes across worlds."""
    plt = pyplot()
    cols = min(len(metrics), 3)
    rows = -(-len(metrics) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.3 * rows), squeeze=False)
    per_world = steps.groupby(["policy", "point", "step"])[list(metrics)].mean().reset_index()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, m in zip(axes.ravel(), metrics, strict=False):
        for k, pol in enumerate(policies):
            sub = per_world[per_world["policy"] == pol].groupby("step")[m]
            q = sub.quantile([0.0, 0.1, 0.5, 0.9, 1.0]).unstack()
            c = colours[k % len(colours)]
            ax.fill_between(q.index, q[0.0], q[1.0], color=c, alpha=0.12, linewidth=0)
            ax.fill_between(q.index, q[0.1], q[0.9], color=c, alpha=0.3, linewidth=0)
            ax.plot(q.index, q[0.5], color=c, label=pol)
        ax.set_title(m)
        ax.set_xlabel("month")
    for ax in axes.ravel()[len(metrics) :]:
        ax.set_visible(False)
    axes.ravel()[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def finals(runs: pd.DataFrame, metrics: Sequence[str], policies: Sequence[str]) -> Any:
    """Per metric: the distribution over worlds of each policy's final value (mean over replications)."""
    plt = pyplot()
    cols = min(len(metrics), 3)
    rows = -(-len(metrics) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.2 * rows), squeeze=False)
    ok = runs[runs["status"] == "ok"]
    world = ok.groupby(["policy", "point"])[list(metrics)].mean().reset_index()
    rng = np.random.default_rng(0)  # jitter only
    for ax, m in zip(axes.ravel(), metrics, strict=False):
        data = [world.loc[world["policy"] == p, m].dropna().to_numpy() for p in policies]
        ax.boxplot(data, tick_labels=list(policies), showfliers=False)
        for k, d in enumerate(data):
            ax.scatter(k + 1 + rng.uniform(-0.12, 0.12, len(d)), d, s=8, alpha=0.6)
        ax.set_title(f"final {m} per world")
        ax.tick_params(axis="x", labelsize=8)
    for ax in axes.ravel()[len(metrics) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def over_time(steps: pd.DataFrame, metrics: Sequence[str], policies: Sequence[str]) -> pd.DataFrame:
    """Per policy and metric, the mean over runs of each run's minimum, maximum, final value and area (the sum
    over months, months where the metric is undefined skipped): outcomes over the run, not only at its end."""
    rows = []
    by_run = steps.sort_values("step").groupby(["policy", "run_id"], sort=False)
    for m in metrics:
        per_run = by_run[m].agg(minimum="min", maximum="max", final="last", area="sum").reset_index()
        for pol in policies:
            sub = per_run[per_run["policy"] == pol]
            rows.append({"policy": pol, "metric": m, **sub[["minimum", "maximum", "final", "area"]].mean().to_dict()})
    return pd.DataFrame(rows, columns=["policy", "metric", "minimum", "maximum", "final", "area"])


def influential(runs: pd.DataFrame, params: Sequence[str], metrics: Sequence[str], seed: int) -> list[str]:
    """The uncertainties that move the metrics most: extra-trees feature scores (EMA Workbench) of the
    worlds' mean outcomes, summed over the metrics, highest first."""
    from ema_workbench.analysis import feature_scoring

    numeric = [p for p in params if pd.api.types.is_numeric_dtype(runs[p])]
    ok = runs[runs["status"] == "ok"]
    world = ok.groupby("point")[[*numeric, *metrics]].mean()
    if len(world) < 4 or not numeric:
        return numeric[:PAIRS]
    outcomes = {m: world[m].to_numpy() for m in metrics if world[m].notna().all() and world[m].nunique() > 1}
    if not outcomes:
        return numeric[:PAIRS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = feature_scoring.get_feature_scores_all(
            world[numeric], outcomes, mode=feature_scoring.RuleInductionType.REGRESSION, random_state=seed
        )
    return list(scores.sum(axis=1).sort_values(ascending=False).index[:PAIRS])


def pairs_plot(runs: pd.DataFrame, top: Sequence[str], metrics: Sequence[str], policies: Sequence[str]) -> Any:
    """Each metric (rows) against each of the most influential uncertainties (columns): one point per world
    and policy (the mean over its replications)."""
    plt = pyplot()
    ok = runs[runs["status"] == "ok"]
    world = ok.groupby(["policy", "point"])[[*top, *metrics]].mean().reset_index()
    fig, axes = plt.subplots(
        len(metrics), len(top), figsize=(3.4 * len(top), 2.5 * len(metrics)), squeeze=False, sharex="col"
    )
    for i, m in enumerate(metrics):
        for j, u in enumerate(top):
            ax = axes[i, j]
            for pol in policies:
                sub = world[world["policy"] == pol]
                ax.scatter(sub[u], sub[m], s=10, alpha=0.7, label=pol)
            if i == len(metrics) - 1:
                ax.set_xlabel(u, fontsize=8)
            if j == 0:
                ax.set_ylabel(m, fontsize=8)
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig


@dataclass
class Breaks:
    """What scenario discovery says about where one claim does not hold."""

    claim: Claim
    line: str  # one line for the answer: where it breaks, or why there is no box
    found: Any = None  # the Discovery, when there was a box to find
    command: str = ""  # the `netgov discover` line that reproduces it (and picks another box with --box)


def _limits(found: Any) -> str:
    parts = []
    for r in found.limits.itertuples():
        lo, hi = r.min, r.max
        if isinstance(lo, float | np.floating) and isinstance(hi, float | np.floating):
            parts.append(f"{r.parameter} {lo:.3g} to {hi:.3g}")
        else:
            parts.append(f"{r.parameter} in {lo}")
    return ", ".join(parts)


def breaks(runs: pd.DataFrame, params: list[str], claim: Claim, out: Path, seed: int) -> Breaks:
    """Scenario discovery on the worlds where ``claim`` does not hold ("" when it holds everywhere)."""
    worlds, question = cases(runs, params, claim=claim)
    command = f'netgov discover {out} --claim "{claim.text}"'
    if worlds.empty:
        return Breaks(claim, f"{claim.metric} is undefined in every world")
    if not worlds["of_interest"].any():
        return Breaks(claim, "")
    if len(worlds) < MIN_WORLDS:
        return Breaks(claim, f"too few worlds for discovery: {len(worlds)}, need {MIN_WORLDS}")
    if worlds["of_interest"].all():
        return Breaks(claim, "it holds in no world")
    try:
        found = discover(worlds, params, question, seed=seed)
    except NothingToDiscover as exc:
        return Breaks(claim, str(exc))
    t = found.trajectory.iloc[found.chosen]
    where = _limits(found)
    if not where:
        return Breaks(claim, "no range of the uncertainties singles out the worlds where it does not", found, command)
    line = f"it breaks mostly where {where} (coverage {t['coverage']:.2f}, density {t['density']:.2f})"
    if not found.significant:
        line += "; not significant: could be chance"
    return Breaks(claim, line, found, command)


def check_judged(metrics: Sequence[str]) -> None:
    """A study's metrics are claimed to get better: refuse one that is not a judgement (e.g. a count)."""
    neutral = [m for m in metrics if m not in JUDGED_METRICS]
    if neutral:
        raise ConfigError(
            f"--metric {', '.join(neutral)}: neither higher nor lower is better, so no recommendation can claim it;"
            f" expected one of {', '.join(JUDGED_METRICS)}"
        )


def study_claims(spec: ExperimentSpec, metrics: Sequence[str], baseline: str | None) -> tuple[Claim, ...]:
    """The spec's ``[[claims]]``, else every other policy better than the baseline on each metric."""
    return spec.claims or default_claims(spec.policy_names, metrics, baseline or spec.policy_names[0])


def _share(row: Any) -> str:
    return f"{row.share_holds:.0%} of {row.worlds} worlds [95% CI {row.share_lo:.0%}-{row.share_hi:.0%}]"


def _counts(row: Any) -> str:
    parts = [f"{getattr(row, v)} {v}" for v in VERDICTS if getattr(row, v)]
    if row.undefined_worlds:
        parts.append(f"{row.undefined_worlds} undefined")
    if row.inconclusive and row.replications_needed > row.replications:
        parts.append(
            f"each world has {row.replications} replications; a 95% CI 0.05 wide needs about"
            f" {row.replications_needed:.0f}"
        )
    elif row.inconclusive and row.replications == 1:
        parts.append("one replication per world: run more to see the run-to-run spread")
    return ", ".join(parts)


def write_report(
    spec: ExperimentSpec,
    out: Path,
    manifest: dict[str, Any],
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    metrics: Sequence[str] = METRICS,
    claims: Sequence[Claim] = (),
) -> Path:
    """Write ``out/report.html`` and the tables behind it (see :data:`REPORT_FILES`); return the HTML's path.

    The previous report's files are removed first, so a report that fails half-way leaves none of them."""
    with whole(out, REPORT_FILES) as temp:
        return _write(spec, out, manifest, runs, steps, metrics, claims or study_claims(spec, metrics, None), temp)


def _write(
    spec: ExperimentSpec,
    out: Path,
    manifest: dict[str, Any],
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    metrics: Sequence[str],
    claims: Sequence[Claim],
    temp: Callable[[str], Path],
) -> Path:
    policies, params = spec.policy_names, spec.names
    judged = [m for m in dict.fromkeys([*metrics, *(c.metric for c in claims)]) if m in JUDGED_METRICS]
    shown = list(dict.fromkeys([*metrics, *(c.metric for c in claims)]))
    held = judge(runs, claims, params)
    found = [breaks(runs, params, c, out, spec.seed) for c in claims]
    held["breaks"] = [b.line for b in found]
    regrets = regret_table(runs, judged)
    summary = regret_summary(regrets, policies)
    best = minimax(summary)
    contrasts = all_pairs(runs, policies, params, shown)
    time_table = over_time(steps, shown, policies)

    ok = runs[runs["status"] == "ok"]
    worlds = ok.groupby("point", sort=True)[params].first()
    for c_index, claim in enumerate(claims, 1):
        worlds[f"claim {c_index}"] = world_verdicts(runs, claim, params)["verdict"]
    means = ok.groupby(["point", "policy"])[shown].mean().unstack("policy")
    means.columns = [f"{m}: {p}" for m, p in means.columns]
    worlds = worlds.join(means).reset_index().rename(columns={"point": "world"})

    boxes = []
    for b in found:
        if b.found is not None:
            boxes.append(b.found.limits.assign(claim=b.claim.text, box=b.found.chosen, significant=b.found.significant))
    if boxes:
        table = pd.concat(boxes, ignore_index=True).astype({"min": str, "max": str})
        table.to_parquet(temp("boxes.parquet"), index=False)
    held.to_parquet(temp("claims.parquet"), index=False)
    verdicts = pd.concat(
        [world_verdicts(runs, c, params).reset_index().assign(claim=c.text) for c in claims], ignore_index=True
    )
    verdicts.to_parquet(temp("verdicts.parquet"), index=False)
    contrasts.to_parquet(temp("contrasts.parquet"), index=False)
    regrets.to_parquet(temp("regret.parquet"), index=False)
    time_table.to_parquet(temp("over_time.parquet"), index=False)
    worlds.to_csv(temp("worlds.csv"), index=False)

    drawn = [m for m in shown if runs[m].notna().any()]  # a metric undefined in every run has nothing to plot
    top = influential(runs, params, drawn, spec.seed)
    overall = best[best["metric"] == "all"]
    seeds = sorted(set(zip(runs["replication"], runs["seed"], strict=True)))
    context = {
        "title": spec.summary or spec.label,
        "question": spec.question or "(the spec gives no question)",
        "claims": [
            {
                "n": k,
                "text": row.claim,
                "share": _share(row),
                "counts": _counts(row),
                "breaks": row.breaks,
                "state": "holds" if row.share_holds == 1 else ("fail" if row.share_holds == 0 else "mixed"),
                "judged": bool(row.worlds),
            }
            for k, row in enumerate(held.itertuples(), 1)
        ],
        "minimax": None if overall.empty else overall.iloc[0].to_dict(),
        "minimax_by_metric": best[(best["metric"] != "all") & best["policy"].notna()].to_dict("records"),
        "policies": policies,
        "n_worlds": spec.n_points(),
        "replications": spec.replications,
        "n_runs": len(runs),
        "failed": int((runs["status"] != "ok").sum()),
        "months": spec.scenario.config.steps,
        "ensemble": str(spec.ensemble.path) if spec.ensemble is not None else "",
        "meanings": [(m, MEANING.get(m, "")) for m in shown],
        "claims_table": table_html(held.drop(columns=["breaks"]).dropna(axis=1, how="all")),
        "regret_table": table_html(summary),
        "envelopes": figure(envelopes(steps, drawn, policies), "outcomes over time per policy", dpi=80)
        if drawn
        else "",
        "finals": figure(finals(runs, drawn, policies), "final outcomes per world", dpi=80) if drawn else "",
        "over_time": table_html(time_table),
        "contrasts": table_html(contrasts.drop(columns=["factor"])),
        "top": top,
        "pairs": figure(pairs_plot(runs, top, shown, policies), "outcomes against uncertainties", dpi=80)
        if top
        else "",
        "worlds_table": table_html(worlds),
        "boxes": [_box_context(b) for b in found],
        "seed": spec.seed,
        "seeds": ", ".join(f"r{r}: {s}" for r, s in seeds),
        "versions": json.dumps(
            {k: manifest.get(k) for k in ("versions", "git_commit", "git_dirty", "fingerprint", "started", "finished")},
            indent=2,
            default=str,
        ),
        "spec_text": spec.path.read_text(encoding="utf-8") if spec.path else json.dumps(spec.resolved(), indent=2),
        "files": [f for f in REPORT_FILES[1:] if f != "boxes.parquet" or boxes],
    }
    page = environment().get_template("robustness.html.j2").render(**context)
    temp("report.html").write_text(page, encoding="utf-8")
    return out / "report.html"


def _box_context(b: Breaks) -> dict[str, Any]:
    """What the template shows of one claim's scenario discovery."""
    f = b.found
    if f is None:
        return {"claim": b.claim.text, "line": b.line}
    stats = f.trajectory.iloc[f.chosen]
    return {
        "claim": b.claim.text,
        "line": b.line,
        "chosen": f.chosen,
        "best": f.best,
        "boxes": len(f.trajectory),
        "coverage": stats["coverage"],
        "density": stats["density"],
        "warning": f.warning,
        "limits": table_html(f.limits),
        "trajectory": figure(f.figures["prim_trajectory"], "PRIM peeling trajectory", dpi=80),
        "box": figure(f.figures["prim_box"], "PRIM box limits", dpi=80),
        "cart": table_html(f.cart.sort_values("density", ascending=False)),
        "tree": figure(f.figures["cart_tree"], "CART tree", dpi=70),
        "scores": figure(f.figures["feature_scores"], "feature scores", dpi=80),
        "command": b.command,
    }
