"""Global sensitivity analysis with SALib: Morris screening (mu*, sigma) or Sobol indices (S1, ST).

The design is the spec's parameters under SALib's ``morris`` or ``sobol`` sampler, run through the
ordinary batch engine; each point's response is the mean over its replications.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from netgov.experiment import limits
from netgov.experiment.files import atomic
from netgov.experiment.spec import ExperimentSpec
from netgov.model.core.errors import ConfigError
from netgov.model.plotting import pyplot

METHODS = ("morris", "sobol")
#: What `netgov sensitivity` writes into its folder beside the batch.
SENSITIVITY_FILES = ("sensitivity.csv", "sensitivity.png")
#: The index each method ranks parameters by, and the columns of its table.
RANK_BY = {"morris": "mu_star", "sobol": "ST"}
COLUMNS = {"morris": ("mu_star", "mu_star_conf", "sigma", "mu"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}


def design(spec: ExperimentSpec, method: str, samples: int | None = None) -> ExperimentSpec:
    """The spec's parameter ranges under the method's SALib sampler.

    Parameters
    ----------
    spec
        An experiment whose parameters are ranges (one policy).
    method
        ``"morris"`` (elementary effects) or ``"sobol"`` (variance shares).
    samples
        Morris trajectories or Sobol base samples (default: the spec's).

    Returns
    -------
    ExperimentSpec
        The same spec with the sampler's points as its design, ready for ``run_batch``.

    Raises
    ------
    ConfigError
        An unknown method, ``samples`` out of bounds, or a spec with more than one policy.
    """
    if method not in METHODS:
        raise ConfigError(f"--method {method!r} is not allowed: expected one of " + ", ".join(map(repr, METHODS)))
    if samples is not None:
        limits.check_integer(samples, f"--samples {samples}", 1, limits.SAMPLES_BOUND)
    if len(spec.policies) > 1:
        raise ConfigError(
            f"{spec.label}: sensitivity ranks parameters over one base scenario, and this spec has"
            f" {len(spec.policies)} policies; run it once per policy (base = ...), or use netgov robustness"
        )
    return spec.with_sampler(method, samples)


def responses(runs: pd.DataFrame, metric: str, replications: int, n_points: int) -> np.ndarray:
    """One value per design point: the mean of ``metric`` over the point's successful replications
    (NaN where none has a value)."""
    ok = runs[runs["status"] == "ok"]
    point = ok["point"] if "point" in ok.columns else ok["run_id"] // replications
    per_point = ok[metric].astype(float).groupby(point).mean()
    return per_point.reindex(range(n_points)).to_numpy(dtype=float)


def _blocks(spec: ExperimentSpec, y: np.ndarray) -> np.ndarray:
    """Which of SALib's blocks (Sobol: N blocks of D+2 points; Morris: N trajectories of D+1) are whole."""
    size = len(spec.parameters) + (2 if spec.sampler == "sobol" else 1)
    return np.isfinite(y.reshape(-1, size)).all(axis=1)


def _unstable(table: pd.DataFrame, method: str, metric: str) -> list[str]:
    """Warnings that the sample is too small for stable indices: Sobol indices below 0, or CIs wider than them."""
    if method != "sobol":
        return []
    notes = []
    for row in table.itertuples(index=False):
        for idx in ("S1", "ST"):
            value, conf = getattr(row, idx), getattr(row, f"{idx}_conf")
            if value < 0 or conf > abs(value) or value > 1:
                notes.append(
                    f"{metric}: {idx} of {row.parameter} = {value:.3g} ± {conf:.3g}: the CI is wider than the index"
                    " or the index is outside [0, 1]; N is too small for stable indices (raise --samples)"
                )
    return notes


def analyse(spec: ExperimentSpec, runs: pd.DataFrame, metrics: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Indices of every varied parameter for each metric, ranked; and warnings to print beside them.

    Returns ``(table, warnings)``: one row per (metric, parameter) with the method's indices and
    their confidence intervals, most influential first; and one line per metric the analysis had to
    restrict or skip.

    A metric undefined at some design points (e.g. legitimacy where nothing was adopted) is kept: the
    SALib blocks (Sobol's N*(D+2) points, Morris trajectories) that hold such a point are left out of
    its analysis, and a warning counts the undefined runs and the blocks left out. A metric with no
    whole block has no row.
    """
    from SALib.analyze import morris, sobol

    x = spec.unit_design()
    if x is None:
        raise ConfigError(f"{spec.label}: sensitivity needs sampler 'morris' or 'sobol', not {spec.sampler!r}")
    problem = spec.problem()
    frames, notes = [], []
    if spec.sampler == "morris":
        notes += [
            f"{p.key}: a list of categories; Morris' mu (its sign) means nothing for it, mu* still ranks it"
            for p in spec.parameters
            if p.values and not p.numeric
        ]
    ok = runs[runs["status"] == "ok"]
    for metric in metrics:
        y = responses(runs, metric, spec.replications, len(x))
        whole = _blocks(spec, y)
        undefined = int(ok[metric].isna().sum()) + int((runs["status"] != "ok").sum())
        if undefined:
            notes.append(
                f"{metric}: undefined in {undefined} of {len(runs)} runs; {int((~whole).sum())} of {len(whole)}"
                f" {'trajectories' if spec.sampler == 'morris' else 'Sobol blocks'} left out of its indices"
            )
        if not whole.any():
            continue
        keep = np.repeat(whole, len(y) // len(whole))
        with np.errstate(divide="ignore", invalid="ignore"):
            if spec.sampler == "morris":
                res = morris.analyze(problem, x[keep], y[keep], num_levels=spec.levels, seed=spec.seed)
            else:
                res = sobol.analyze(problem, y[keep], calc_second_order=False, seed=spec.seed)
        table = pd.DataFrame({c: np.ma.filled(np.asarray(res[c], dtype=float), np.nan) for c in COLUMNS[spec.sampler]})
        table.insert(0, "parameter", spec.names)
        table.insert(0, "metric", metric)
        table = table.sort_values(RANK_BY[spec.sampler], ascending=False, ignore_index=True)
        table.insert(2, "rank", range(1, len(table) + 1))
        table["undefined_runs"] = undefined
        notes += _unstable(table, spec.sampler, metric)
        frames.append(table)
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), notes


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
    with atomic(Path(path)) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
