"""Contrasts in a batch: paired differences between two policies (or two values of a parameter), effect
sizes, slopes, a two-way interaction table and the replications a CI width needs.

Runs of a batch share random numbers across points and policies (the seed comes from the master
seed and the replication), so a run of policy A and the run of policy B in the same world and
replication form a pair; their difference is estimated by :func:`netgov.analysis.summary.paired_differences`,
the same as ``netgov compare``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from netgov.analysis.summary import paired_differences
from netgov.model.core.contract import better_sign
from netgov.model.core.errors import ConfigError

#: Full width of a 95% CI that ``n_for_width`` is computed for, unless told otherwise (metrics are mostly shares).
WIDTH = 0.05


@dataclass(frozen=True)
class Contrast:
    """Which two arms to compare: two policies, or two values of one varied parameter."""

    factor: str  # "policy" or a parameter's dotted key
    a: Any
    b: Any

    @property
    def label(self) -> str:
        return f"{self.a} - {self.b}" if self.factor == "policy" else f"{self.factor}: {self.a} - {self.b}"


def _value(raw: str, column: pd.Series) -> Any:
    """A value as written on the command line, in the column's type."""
    for v in column.dropna().unique():
        if str(v) == raw or (isinstance(v, int | float | np.number) and _number(raw) == v):
            return v
    return None


def _number(raw: str) -> float | None:
    try:
        return float(raw)
    except ValueError:
        return None


def parse_contrast(a: str, b: str, runs: pd.DataFrame, params: Sequence[str]) -> Contrast:
    """``--contrast A B``: two policy names, or ``KEY=VALUE`` twice with the same varied parameter."""
    policies = list(dict.fromkeys(runs["policy"])) if "policy" in runs.columns else []
    if a in policies and b in policies:
        if a == b:
            raise ConfigError(f"--contrast {a} {b}: give two different policies")
        return Contrast("policy", a, b)
    if "=" in a and "=" in b:
        (ka, va), (kb, vb) = a.split("=", 1), b.split("=", 1)
        if ka != kb or ka not in params:
            raise ConfigError(
                f"--contrast {a} {b}: expected KEY=VALUE twice with one varied parameter: {', '.join(params)}"
            )
        xa, xb = _value(va, runs[ka]), _value(vb, runs[kb])
        for raw, x in ((va, xa), (vb, xb)):
            if x is None:
                have = ", ".join(map(str, sorted(runs[ka].dropna().unique())))
                raise ConfigError(f"--contrast: {ka}={raw} is not in this batch; it has {ka} = {have}")
        return Contrast(ka, xa, xb)
    raise ConfigError(
        f"--contrast {a} {b}: expected two policies ({', '.join(map(str, policies))}) or KEY=VALUE twice"
        f" with a varied parameter ({', '.join(params)})"
    )


def _arms(runs: pd.DataFrame, contrast: Contrast, params: Sequence[str]) -> pd.DataFrame:
    """The two arms' runs as ``paired_differences`` takes them: scenario = arm, replication = pair id."""
    ok = runs[runs["status"] == "ok"]
    if contrast.factor == "policy":
        keys = ["point", "replication"]
    else:
        keys = [c for c in ("policy", *params) if c in ok.columns and c != contrast.factor] + ["replication"]
    sub = ok[ok[contrast.factor].isin([contrast.a, contrast.b])].copy()
    pair = sub.groupby(keys, dropna=False, sort=True).ngroup()
    sub["scenario"] = np.where(sub[contrast.factor] == contrast.a, "a", "b")
    sub["replication"], sub["step"] = pair.to_numpy(), 0
    return sub


def paired(runs: pd.DataFrame, contrast: Contrast, params: Sequence[str]) -> pd.DataFrame:
    """Per pair and metric: the arms' values and A - B (rows with either value undefined kept, as NaN)."""
    sub = _arms(runs, contrast, params)
    a = sub[sub["scenario"] == "a"].set_index("replication")
    b = sub[sub["scenario"] == "b"].set_index("replication")
    common = a.index.intersection(b.index).sort_values()
    world = [c for c in ("point", *params) if c in a.columns and c != contrast.factor]
    return a.loc[common, world].join(a.loc[common].add_prefix("a:")).join(b.loc[common].add_prefix("b:"))


def contrast_table(
    runs: pd.DataFrame, contrast: Contrast, params: Sequence[str], metrics: Sequence[str], width: float = WIDTH
) -> pd.DataFrame:
    """One row per metric: pairs, undefined pairs, the paired mean difference A - B with its 95% CI, the
    unpaired (Welch) CI of the same difference, the standardised effect size d_z (mean / sd of the
    differences) and ``n_for_width``, the pairs a 95% CI of full width ``width`` needs.

    Parameters
    ----------
    runs
        The batch's runs table.
    contrast
        Arm A and arm B (``parse_contrast``): values of the varied parameters; runs pair by replication.
    params
        The batch's varied parameters.
    metrics
        The final metrics to compare.
    width
        The CI width ``n_for_width`` plans for.

    Returns
    -------
    pandas.DataFrame
        One row per metric (see the column names above).
    """
    arms = _arms(runs, contrast, params)
    diffs = paired_differences(arms, "b", metrics).set_index("metric")
    pairs = paired(runs, contrast, params)
    rows = []
    for m in metrics:
        d = (pairs[f"a:{m}"].astype(float) - pairs[f"b:{m}"].astype(float)).to_numpy()
        defined = d[np.isfinite(d)]
        sd = float(np.std(defined, ddof=1)) if len(defined) > 1 else math.nan
        a_vals = arms.loc[arms["scenario"] == "a", m].astype(float).dropna().to_numpy()
        b_vals = arms.loc[arms["scenario"] == "b", m].astype(float).dropna().to_numpy()
        lo, hi = _welch(a_vals, b_vals)
        mean = diffs.at[m, "diff_mean"]
        rows.append(
            {
                "metric": m,
                "factor": contrast.factor,
                "a": contrast.a,
                "b": contrast.b,
                "pairs": int(diffs.at[m, "n"]),
                "undefined": len(d) - len(defined),
                "diff_mean": mean,
                "diff_lo": diffs.at[m, "diff_lo"],
                "diff_hi": diffs.at[m, "diff_hi"],
                "unpaired_lo": lo,
                "unpaired_hi": hi,
                "effect_size": mean / sd if sd > 0 else (0.0 if sd == 0 and mean == 0 else math.nan),
                "share_a_better": _share_better(defined, better_sign(m)),
                "share_tied": float(np.mean(defined == 0)) if len(defined) else math.nan,
                "n_for_width": n_for_width(sd, width),
            }
        )
    return pd.DataFrame(rows)


def all_pairs(
    runs: pd.DataFrame, policies: Sequence[str], params: Sequence[str], metrics: Sequence[str], width: float = WIDTH
) -> pd.DataFrame:
    """:func:`contrast_table` for every pair of policies (each earlier policy A against each later B)."""
    tables = [
        contrast_table(runs, Contrast("policy", a, b), params, metrics, width)
        for i, a in enumerate(policies)
        for b in policies[i + 1 :]
    ]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def _share_better(diffs: np.ndarray, sign: int) -> float:
    """The share of pairs in which A is strictly better than B, by the metric's direction in the contract (NaN
    for a metric that is not a judgement, such as a count of issues); a tie is neither (``share_tied``)."""
    return float(np.mean(sign * diffs > 0)) if sign and len(diffs) else math.nan


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """95% CI of mean(a) - mean(b) treating the arms as independent samples (what pairing improves on)."""
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return float(a.mean() - b.mean()), float(a.mean() - b.mean())
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.975, dof)) * se
    diff = float(a.mean() - b.mean())
    return diff - half, diff + half


def n_for_width(sd: float, width: float) -> float:
    """Pairs a 95% Student-t CI of full ``width`` needs for differences of standard deviation ``sd``."""
    if not (math.isfinite(sd) and width > 0):
        return math.nan
    if sd == 0:
        return 2.0
    n = 2
    while n < 10**7:
        if 2 * float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n) <= width:
            return float(n)
        n = max(n + 1, int(n * 1.05))
    return math.inf


def slopes(
    runs: pd.DataFrame, params: Sequence[str], metrics: Sequence[str], contrast: Contrast | None = None
) -> pd.DataFrame:
    """Least-squares slope of each metric (or of A - B with a contrast) on each numeric parameter, per policy,
    with its 95% CI: how much the outcome (or the advantage) changes per unit of the parameter."""
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(runs[p]) and not pd.api.types.is_bool_dtype(runs[p])]
    if contrast is not None:
        frame = paired(runs, contrast, params)
        groups = [(contrast.label, frame)]
        values = {m: frame[f"a:{m}"].astype(float) - frame[f"b:{m}"].astype(float) for m in metrics}
    else:
        ok = runs[runs["status"] == "ok"]
        groups = list(ok.groupby("policy", sort=False)) if "policy" in ok.columns else [("", ok)]
        values = None
    rows = []
    for name, sub in groups:
        for p in numeric:
            if p == getattr(contrast, "factor", None) or p not in sub.columns:
                continue
            for m in metrics:
                y = values[m] if values is not None else sub[m].astype(float)
                x = sub[p].astype(float)
                keep = np.isfinite(y.to_numpy()) & np.isfinite(x.to_numpy())
                row = {"of": name, "parameter": p, "metric": m, "n": int(keep.sum())}
                if keep.sum() > 2 and np.ptp(x[keep]) > 0:
                    fit = stats.linregress(x[keep], y[keep])
                    half = float(stats.t.ppf(0.975, keep.sum() - 2)) * fit.stderr
                    row |= {"slope": fit.slope, "slope_lo": fit.slope - half, "slope_hi": fit.slope + half}
                else:
                    row |= {"slope": math.nan, "slope_lo": math.nan, "slope_hi": math.nan}
                rows.append(row)
    return pd.DataFrame(rows, columns=["of", "parameter", "metric", "n", "slope", "slope_lo", "slope_hi"])


def levels(column: pd.Series, bins: int = 3) -> pd.Series:
    """A factor's levels for a table: its values, or ``bins`` quantile bins for a number with many values."""
    if pd.api.types.is_numeric_dtype(column) and column.nunique() > 4:
        return pd.qcut(column, bins, duplicates="drop").astype(str)
    return column.astype(str)


def interaction(runs: pd.DataFrame, first: str, second: str, metric: str) -> pd.DataFrame:
    """A two-way table: the mean of ``metric`` in each cell of ``first`` x ``second`` (policy or parameters;
    many-valued numbers in tertiles), with the cell's run count. If the rows' differences change across the
    columns, the two factors interact."""
    for f in (first, second):
        if f not in runs.columns:
            raise ConfigError(f"--interaction {first} {second}: {f!r} is not a column of this batch")
    ok = runs[runs["status"] == "ok"]
    frame = pd.DataFrame({first: levels(ok[first]), second: levels(ok[second]), metric: ok[metric].astype(float)})
    cells = frame.groupby([first, second], sort=True)[metric].agg(["mean", "count"]).reset_index()
    return cells.rename(columns={"mean": f"{metric}_mean", "count": "runs"})
