"""Summaries of runs: mean and 95% CI per scenario or per parameter point, and paired differences.

pandas is imported by the functions that build tables, so `netgov explain` can read this module's names
(through the mechanisms) without loading it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.metrics import mean_ci, mean_ci_bootstrap


def final_rows(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Each run's last row (its final metrics): one row per (scenario, replication). A frame whose index repeats
    (tables concatenated without ``ignore_index``) is renumbered first: a label must name one row."""
    t = trajectories if trajectories.index.is_unique else trajectories.reset_index(drop=True)
    return t.loc[t.groupby(["scenario", "replication"])["step"].idxmax()]


#: The columns of :func:`final_summary`: one row per (scenario, metric).
SUMMARY_COLUMNS: tuple[str, ...] = ("scenario", "metric", "mean", "lo", "hi", "n")


def final_summary(
    trajectories: pd.DataFrame, order: Sequence[str], metrics: Sequence[str] = FINAL_METRICS, seed: int = 0
) -> pd.DataFrame:
    """Each final metric's mean and 95% interval per scenario, as a tidy long table.

    The interval is a percentile bootstrap of the mean over replications
    (:func:`netgov.model.core.metrics.mean_ci_bootstrap`, resampled from ``seed``): it stays inside the
    range a metric can take (a share's inside [0, 1], a count's above 0), where a Student-t interval need
    not. ``n`` is the number of replications with a value (a NaN, e.g. nothing decided yet, is left out).

    Parameters
    ----------
    trajectories
        Per-step rows with ``scenario`` and ``replication`` (what ``replicate`` returns).
    order
        The scenarios, in the order of the rows.
    metrics
        The final metrics, in the order of the rows.
    seed
        Seeds the bootstrap's resampling (``netgov compare`` passes its master seed).

    Returns
    -------
    pandas.DataFrame
        Columns ``SUMMARY_COLUMNS``: one row per (scenario, metric).
    """
    import pandas as pd

    last = final_rows(trajectories)
    rows = []
    for name in order:
        sub = last[last["scenario"] == name]
        for m in metrics:
            values = sub[m].astype(float).to_numpy()
            mean, lo, hi = mean_ci_bootstrap(values, seed)
            rows.append(
                {"scenario": name, "metric": m, "mean": mean, "lo": lo, "hi": hi, "n": int((values == values).sum())}
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).astype({"n": "int64"})


def summarise(trajectories: pd.DataFrame, order: Sequence[str], seed: int = 0) -> pd.DataFrame:
    """The wide view of :func:`final_summary`: one row per scenario with ``reps`` (runs) and each final
    metric's ``_mean``, ``_lo`` and ``_hi`` (the same percentile-bootstrap intervals)."""
    import pandas as pd

    long = final_summary(trajectories, order, seed=seed)
    last = final_rows(trajectories)
    rows = []
    for name in order:
        row: dict[str, object] = {"scenario": name, "reps": int((last["scenario"] == name).sum())}
        for r in long[long["scenario"] == name].to_dict("records"):
            row[f"{r['metric']}_mean"], row[f"{r['metric']}_lo"], row[f"{r['metric']}_hi"] = r["mean"], r["lo"], r["hi"]
        rows.append(row)
    return pd.DataFrame(rows)


#: The columns of :func:`paired_differences`.
DIFF_COLUMNS: tuple[str, ...] = ("scenario", "baseline", "metric", "n", "diff_mean", "diff_lo", "diff_hi")


def paired_differences(
    trajectories: pd.DataFrame, baseline: str, metrics: Sequence[str] = FINAL_METRICS
) -> pd.DataFrame:
    """Final-metric differences (scenario - baseline) paired by replication, with a 95% Student-t CI.

    ``trajectories`` is what :func:`netgov.experiment.replications.replicate` returns: replication r of
    every scenario ran with the same seed (common random numbers), so the pair (scenario r,
    baseline r) differs only by the scenario. One row per (other scenario, metric): ``n`` pairs
    with both values present (NaN pairs are dropped), ``diff_mean``, ``diff_lo``, ``diff_hi``.
    Booleans count as 0/1. With one pair the CI is the mean itself; with none, NaN.

    Parameters
    ----------
    trajectories
        Per-step rows with ``scenario``, ``replication`` and (checked when present) ``seed``.
    baseline
        The scenario every other one is compared with.
    metrics
        The final metrics to compare.

    Returns
    -------
    pandas.DataFrame
        Columns ``DIFF_COLUMNS``.

    Raises
    ------
    ValueError
        ``baseline`` is not among the scenarios, or a pair ran with different seeds.
    """
    import pandas as pd

    last = final_rows(trajectories)
    names = list(dict.fromkeys(trajectories["scenario"]))
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios: {', '.join(map(str, names))}")
    base = last[last["scenario"] == baseline].set_index("replication")
    rows: list[dict[str, Any]] = []
    for name in names:
        if name == baseline:
            continue
        alt = last[last["scenario"] == name].set_index("replication")
        common = base.index.intersection(alt.index).sort_values()
        if "seed" in last.columns:
            differ = common[base.loc[common, "seed"].to_numpy() != alt.loc[common, "seed"].to_numpy()]
            if len(differ):
                r = differ[0]
                raise ValueError(
                    f"replication {r} ran with seed {base.at[r, 'seed']} under {baseline!r} but "
                    f"{alt.at[r, 'seed']} under {name!r}: pairs need common seeds"
                )
        for m in metrics:
            d = (alt.loc[common, m].astype(float) - base.loc[common, m].astype(float)).dropna()
            mean, lo, hi = mean_ci(d.to_numpy())
            rows.append(
                {"scenario": name, "baseline": baseline, "metric": m, "n": len(d), "diff_mean": mean}
                | {"diff_lo": lo, "diff_hi": hi}
            )
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS)).astype({"n": "int64"})


#: Paired differences closer to 0 than this are float rounding (same runs summed in another order), not effects.
ROUNDING = 1e-12


def excludes_zero(row: Any) -> bool:
    """True when a paired difference's 95% CI lies wholly above or below 0 (needs two or more pairs;
    a mean within :data:`ROUNDING` of 0 never does)."""
    return bool(row["n"] >= 2 and abs(row["diff_mean"]) > ROUNDING and (row["diff_lo"] > 0 or row["diff_hi"] < 0))


def in_words(row: Any) -> str:
    """A paired difference (a row of :func:`paired_differences`) in one line: which way the metric moves, the
    mean and 95% interval to three places, the pairs, and whether the interval excludes 0. The tutorial and
    the exercises print their findings with it, so their text is the table's numbers, never typed."""
    metric, n = row["metric"], int(row["n"])
    if n == 0:
        return f"{metric}: no pair has a value"
    mean = float(row["diff_mean"])
    way = "rises" if mean > ROUNDING else "falls" if mean < -ROUNDING else "does not move"
    verdict = (
        "the 95% interval excludes 0"
        if excludes_zero(row)
        else "the 95% interval includes 0: these pairs cannot tell it from no difference"
    )
    return f"{metric} {way}: {mean:+.3f} [{row['diff_lo']:+.3f}, {row['diff_hi']:+.3f}] over {n} pairs ({verdict})"


def varied_parameters(runs: pd.DataFrame, manifest: dict[str, Any]) -> list[str]:
    """The varied parameters' columns: from the manifest, else every column before `seed`."""
    names = manifest.get("parameters")
    if names:
        return [n for n in names if n in runs.columns]
    cols = list(runs.columns)
    return cols[1 : cols.index("seed")] if "seed" in cols else []


def point_summary(runs: pd.DataFrame, params: list[str], metrics: Iterable[str]) -> pd.DataFrame:
    """Each parameter point of a batch: runs, failures, and each metric's mean with its 95% CI.

    Parameters
    ----------
    runs
        The batch's runs table (``read_runs``).
    params
        The varied parameters: one row per combination of their values.
    metrics
        The final metrics to summarise (over the runs that finished).

    Returns
    -------
    pandas.DataFrame
        One row per point: the parameters, ``runs``, ``failed``, and each metric's ``_mean``, ``_lo``, ``_hi``.
    """
    import pandas as pd

    rows = []
    for values, sub in runs.groupby(params, sort=True, dropna=False):
        ok = sub[sub["status"] == "ok"]
        row: dict[str, Any] = dict(zip(params, values if isinstance(values, tuple) else (values,), strict=True))
        row["runs"], row["failed"] = len(ok), len(sub) - len(ok)
        for m in metrics:
            row[f"{m}_mean"], row[f"{m}_lo"], row[f"{m}_hi"] = mean_ci(ok[m].astype(float).to_numpy())
        rows.append(row)
    return pd.DataFrame(rows)
