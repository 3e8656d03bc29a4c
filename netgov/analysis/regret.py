"""Regret: in each sampled world, how far each policy falls short of the best policy in that world.

A policy's regret on a metric in a world is the distance between its value (mean over the world's
replications) and the best policy's there, in the direction the typed contract gives the metric (higher
or lower is better), so it is 0 for the best policy and never negative. Minimax regret picks the policy
whose worst world is least bad; the share of worlds in which a policy is best says how often it wins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from netgov.model.core.contract import better_sign

#: Two values closer than this are the same (both policies are best in that world).
TIE = 1e-12


def regret_table(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """One row per world (point), policy and metric: the policy's mean value, the best value there and the
    regret (NaN where the metric is undefined for the policy, or for every policy, in that world)."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby(["point", "policy"], sort=False)[list(metrics)].mean(numeric_only=False).astype(float)
    rows = []
    for m in metrics:
        sign = better_sign(m)
        value = means[m]
        best = (sign * value).groupby(level="point").max() * sign
        regret = (sign * (best.reindex(value.index, level="point") - value)).clip(lower=0) + 0.0  # no -0.0
        rows.append(
            pd.DataFrame(
                {
                    "point": value.index.get_level_values("point"),
                    "policy": value.index.get_level_values("policy"),
                    "metric": m,
                    "value": value.to_numpy(),
                    "best": best.reindex(value.index, level="point").to_numpy(),
                    "regret": regret.to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True).sort_values(["metric", "point", "policy"], ignore_index=True)


def regret_summary(table: pd.DataFrame, policies: Sequence[str]) -> pd.DataFrame:
    """Per policy and metric: the maximum and mean regret over worlds and the share of worlds in which the
    policy is best (ties count for every tied policy)."""
    rows = []
    for (m, p), sub in table.groupby(["metric", "policy"], sort=False):
        r = sub["regret"].dropna()
        rows.append(
            {
                "metric": m,
                "policy": p,
                "worlds": len(r),
                "max_regret": float(r.max()) if len(r) else math.nan,
                "mean_regret": float(r.mean()) if len(r) else math.nan,
                "share_best": float((r <= TIE).mean()) if len(r) else math.nan,
            }
        )
    out = pd.DataFrame(rows)
    order = {p: k for k, p in enumerate(policies)}
    return out.sort_values(
        ["metric", "policy"], key=lambda c: c.map(order) if c.name == "policy" else c, ignore_index=True
    )


def minimax(summary: pd.DataFrame) -> pd.DataFrame:
    """Per metric, and over all of them (``metric = "all"``: the largest maximum regret on any metric), the
    policy with the lowest maximum regret and that regret; policies tied for it are joined by " = "."""
    rows = []
    worst = summary.groupby("policy", sort=False)["max_regret"].max().rename("max_regret").reset_index()
    for m, sub in [*summary.groupby("metric", sort=False), ("all", worst)]:
        r = sub.dropna(subset=["max_regret"])
        if r.empty:
            rows.append({"metric": m, "policy": None, "max_regret": math.nan})
            continue
        low = float(r["max_regret"].min())
        tied = r.loc[r["max_regret"] <= low + TIE, "policy"]
        rows.append({"metric": m, "policy": " = ".join(tied), "max_regret": low})
    return pd.DataFrame(rows, columns=["metric", "policy", "max_regret"])
