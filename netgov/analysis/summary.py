"""Summaries of runs: mean and 95% CI per scenario or per parameter point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from netgov.model.contract import FINAL_METRICS
from netgov.model.metrics import mean_ci


def summarise(trajectories: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """One row per scenario: mean and 95% CI (``_lo``, ``_hi``) of each final metric."""
    last = trajectories.loc[trajectories.groupby(["scenario", "replication"])["step"].idxmax()]
    rows = []
    for name in order:
        sub = last[last["scenario"] == name]
        row: dict[str, object] = {"scenario": name, "reps": len(sub)}
        for m in FINAL_METRICS:
            mean, lo, hi = mean_ci(sub[m].astype(float).to_numpy())
            row[f"{m}_mean"], row[f"{m}_lo"], row[f"{m}_hi"] = mean, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)


def varied_parameters(runs: pd.DataFrame, manifest: dict[str, Any]) -> list[str]:
    """The varied parameters' columns: from the manifest, else every column before `seed`."""
    names = manifest.get("parameters")
    if names:
        return [n for n in names if n in runs.columns]
    cols = list(runs.columns)
    return cols[1 : cols.index("seed")] if "seed" in cols else []


def point_summary(runs: pd.DataFrame, params: list[str], metrics: Iterable[str]) -> pd.DataFrame:
    """One row per parameter point: runs, failures, and mean with 95% CI (``_lo``, ``_hi``) of each metric."""
    rows = []
    for values, sub in runs.groupby(params, sort=True, dropna=False):
        ok = sub[sub["status"] == "ok"]
        row: dict[str, Any] = dict(zip(params, values if isinstance(values, tuple) else (values,), strict=True))
        row["runs"], row["failed"] = len(ok), len(sub) - len(ok)
        for m in metrics:
            row[f"{m}_mean"], row[f"{m}_lo"], row[f"{m}_hi"] = mean_ci(ok[m].astype(float).to_numpy())
        rows.append(row)
    return pd.DataFrame(rows)
