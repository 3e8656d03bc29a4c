"""Each claim's verdict in each sampled world, and the share of worlds in which it holds.

In a world the claim is judged on the mean over its replications (paired by common random numbers for a
claim about two policies) and a 95% CI around it. The CI's spread is the within-world standard deviation
pooled over every world (all worlds' replications estimate the same run-to-run noise, so two replications
per world still give a usable CI); with one replication per world there is no such spread and the verdict
goes by the mean. Four verdicts:

- ``holds``: raises/lowers: the mean clears ``by`` and the CI excludes 0; no_worse_than: the CI's worse end
  is within ``within``; at_least/at_most: the CI's worse end is on the right side of the threshold;
- ``tie``: the two policies give the same value in every replication, or (raises/lowers with ``by``) the CI
  lies inside ``[-by, by]``; a tie counts as holding for no_worse_than, as not holding otherwise;
- ``fails``: the CI lies wholly on the wrong side (below ``by``, beyond ``within``, past the threshold);
- ``inconclusive``: anything else (the CI straddles the line: more replications would decide).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from netgov.analysis.contrasts import WIDTH, Contrast, n_for_width, paired
from netgov.experiment.claims import Claim

VERDICTS = ("holds", "tie", "fails", "inconclusive")


def _values(runs: pd.DataFrame, claim: Claim, params: Sequence[str]) -> pd.DataFrame:
    """Per run (or pair of runs): ``point`` and ``s``, the claim's quantity signed so that higher is what it
    claims (P - than for a paired claim, P - threshold for a satisficing one), and ``same`` (a pair with equal
    values)."""
    m = claim.metric
    if claim.paired:
        pairs = paired(runs, Contrast("policy", claim.policy, claim.than), params)
        a, b = pairs[f"a:{m}"].astype(float), pairs[f"b:{m}"].astype(float)
        return pd.DataFrame(
            {"point": pairs["point"].to_numpy(), "s": (claim.sign * (a - b)).to_numpy(), "same": (a == b).to_numpy()}
        )
    ok = runs[(runs["status"] == "ok") & (runs["policy"] == claim.policy)]
    v = ok[m].astype(float)
    return pd.DataFrame(
        {"point": ok["point"].to_numpy(), "s": (claim.sign * (v - claim.threshold)).to_numpy(), "same": False}
    )


def world_verdicts(runs: pd.DataFrame, claim: Claim, params: Sequence[str]) -> pd.DataFrame:
    """One row per world (point): replications, the mean of the signed quantity, its 95% CI and the verdict
    (worlds where the metric is undefined in every replication are left out)."""
    values = _values(runs, claim, params).dropna(subset=["s"])
    groups = values.groupby("point", sort=True)
    table = groups["s"].agg(n="count", mean="mean").join(groups["same"].all().rename("same"))
    spread, dof = _spread(values)
    if dof > 0:
        half = float(stats.t.ppf(0.975, dof)) * np.sqrt(spread / table["n"])
    else:  # one replication per world: no run-to-run spread to build a CI from; the mean decides
        half = pd.Series(0.0, index=table.index)
    table["lo"], table["hi"] = table["mean"] - half, table["mean"] + half
    table["verdict"] = [_verdict(claim, row) for row in table.itertuples()]
    return table.drop(columns=["same"])


def _spread(values: pd.DataFrame) -> tuple[float, int]:
    """The within-world variance of the signed quantity, pooled over worlds, and its degrees of freedom."""
    groups = values.groupby("point")["s"]
    dof = int((groups.count() - 1).sum())
    if dof == 0:
        return math.nan, 0
    return float(((values["s"] - groups.transform("mean")) ** 2).sum() / dof), dof


def _verdict(claim: Claim, row: object) -> str:
    mean, lo, hi, same = row.mean, row.lo, row.hi, row.same  # type: ignore[attr-defined]
    if claim.kind in ("raises", "lowers"):
        if same or (claim.by > 0 and -claim.by <= lo and hi <= claim.by):
            return "tie"
        if mean >= claim.by and lo > 0:
            return "holds"
        return "fails" if hi < claim.by else "inconclusive"
    if claim.kind == "no_worse_than":
        if same:
            return "tie"
        if lo >= -claim.within:
            return "holds"
        return "fails" if hi < -claim.within else "inconclusive"
    if lo >= 0:
        return "holds"
    return "fails" if hi < 0 else "inconclusive"


def holding(claim: Claim, verdict: pd.Series) -> pd.Series:
    """Whether the claim holds in each world: a tie holds for no_worse_than only."""
    return (verdict == "holds") | ((verdict == "tie") & (claim.kind == "no_worse_than"))


def share_ci(k: int, n: int) -> tuple[float, float]:
    """Wilson 95% CI of a share of ``k`` worlds out of ``n`` (the worlds are a sample of the uncertainties)."""
    if n == 0:
        return math.nan, math.nan
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def judge(runs: pd.DataFrame, claims: Sequence[Claim], params: Sequence[str]) -> pd.DataFrame:
    """One row per claim: its words, the worlds judged and undefined, how many of each verdict, the share of
    worlds in which it holds with its Wilson 95% CI, and whether the worlds have enough replications: the
    replications each world has, the pooled run-to-run sd, and ``replications_needed`` for a 95% CI 0.05
    wide in each world (``contrasts.n_for_width``; NaN with one replication per world: no spread to see)."""
    n_worlds = runs.loc[runs["status"] == "ok", "point"].nunique()
    rows = []
    for claim in claims:
        worlds = world_verdicts(runs, claim, params)
        spread, _ = _spread(_values(runs, claim, params).dropna(subset=["s"]))
        counts = worlds["verdict"].value_counts()
        held = int(holding(claim, worlds["verdict"]).sum())
        lo, hi = share_ci(held, len(worlds))
        rows.append(
            {
                "claim": claim.text,
                **claim.record(),
                "worlds": len(worlds),
                "undefined_worlds": n_worlds - len(worlds),
                **{v: int(counts.get(v, 0)) for v in VERDICTS},
                "share_holds": held / len(worlds) if len(worlds) else math.nan,
                "share_lo": lo,
                "share_hi": hi,
                "replications": int(worlds["n"].max()) if len(worlds) else 0,
                "sd": math.sqrt(spread) if math.isfinite(spread) else math.nan,
                "replications_needed": n_for_width(math.sqrt(spread), WIDTH) if math.isfinite(spread) else math.nan,
            }
        )
    columns = ["claim", "policy", "kind", "metric", "than", "by", "within", "threshold", "worlds", "undefined_worlds"]
    shares = ["share_holds", "share_lo", "share_hi", "replications", "sd", "replications_needed"]
    return pd.DataFrame(rows).reindex(columns=[*columns, *VERDICTS, *shares])
